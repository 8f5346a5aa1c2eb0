import { BaseRpcContext, Server, type CustomTransportStrategy } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import { processBus, type InProcessBus } from './in-process-bus.js';

/**
 * A Nest transport strategy that serves the very same `@MessagePattern` and
 * `@EventPattern` handlers as the Kafka transport, from the in-process bus.
 */
export class InProcessServer extends Server implements CustomTransportStrategy {
  private readonly registered: string[] = [];

  constructor(private readonly bus: InProcessBus = processBus) {
    super();
  }

  listen(callback: () => void): void {
    for (const [pattern, handler] of this.getHandlers()) {
      const context = new BaseRpcContext([pattern]);
      if (handler.isEventHandler) {
        this.bus.subscribe(pattern, async (data) => {
          await this.handleEvent(pattern, { pattern, data }, context);
        });
      } else {
        this.bus.handle(pattern, async (data) =>
          lastValueFrom(this.transformToObservable(await handler(data, context))),
        );
      }
      this.registered.push(pattern);
    }
    callback();
  }

  close(): void {
    for (const pattern of this.registered.splice(0)) this.bus.remove(pattern);
  }

  on(): void {
    // The in-process bus has no connection events to observe.
  }

  unwrap<T>(): T {
    return this.bus as T;
  }
}
