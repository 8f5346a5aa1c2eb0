import { Controller, Inject, Optional, type Type } from '@nestjs/common';
import { Command, CommandBus, Query, QueryBus } from '@nestjs/cqrs';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { ParsedRequestOf, ResponseOf, Rpc } from '#contracts';
import { answer } from './answer.js';
import { SEALING_KEY_RING } from './sealing/sealing-key-ring.provider.js';
import type { SealingKeyRing } from './sealing/sealing-keys.js';

/** A use case's command or query, made from the pattern's validated request. */
export type UseCaseMessage<R extends Rpc> = new (
  request: ParsedRequestOf<R>,
) => Command<ResponseOf<R>> | Query<ResponseOf<R>>;

/**
 * Serves `rpc`'s pattern: the payload is opened (with the service's sealing
 * keys, when it has some) and validated against the contract, sent
 * as `Message` on the CommandBus (or the QueryBus for a `Query`), and what the
 * handler returns or refuses is the answer (`answer`). The only code between a
 * transport and a use case, so every service's edge is this one line per pattern.
 */
export function useCaseRoute<R extends Rpc>(rpc: R, Message: UseCaseMessage<R>): Type<unknown> {
  @Controller()
  class UseCaseRoute {
    constructor(
      @Inject(CommandBus) private readonly commands: CommandBus,
      @Inject(QueryBus) private readonly queries: QueryBus,
      @Optional() @Inject(SEALING_KEY_RING) private readonly keys: SealingKeyRing | null = null,
    ) {}

    @MessagePattern(rpc.pattern)
    handle(@Payload() payload: unknown) {
      return answer(
        rpc,
        payload,
        (request) => {
          const message = new Message(request);
          return message instanceof Query ? this.queries.execute(message) : this.commands.execute(message);
        },
        this.keys,
      );
    }
  }
  Object.defineProperty(UseCaseRoute, 'name', { value: `${Message.name}Route` });
  return UseCaseRoute;
}
