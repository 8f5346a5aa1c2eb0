import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';
import { firstValueFrom, timeout, TimeoutError } from 'rxjs';
import type { z } from 'zod';
import { DomainError, type RequestOf, type ResponseOf, type Rpc, type RpcResult } from '#contracts';

export const RPC_CLIENT = Symbol('RPC_CLIENT');
export const RPC_TIMEOUT_MS = Symbol('RPC_TIMEOUT_MS');

/**
 * Request/reply with a service, whatever the transport: answers the value, or
 * throws the service's `DomainError`; a service that does not answer in time
 * is `service_unavailable`.
 */
@Injectable()
export class ServiceClient implements OnModuleDestroy {
  constructor(
    @Inject(RPC_CLIENT) private readonly proxy: ClientProxy,
    @Inject(RPC_TIMEOUT_MS) private readonly timeoutMs: number,
  ) {}

  async call<R extends Rpc<z.ZodType, unknown>>(rpc: R, payload: RequestOf<R>): Promise<ResponseOf<R>> {
    let result: RpcResult<ResponseOf<R>>;
    try {
      result = await firstValueFrom(this.proxy.send(rpc.pattern, payload).pipe(timeout(this.timeoutMs)));
    } catch (error) {
      const service = rpc.pattern.split('.')[0];
      if (error instanceof TimeoutError) {
        throw new DomainError('service_unavailable', `${service} did not answer within ${this.timeoutMs} ms`);
      }
      throw new DomainError('service_unavailable', `${service} could not be reached`);
    }
    if (result.ok) return result.value;
    throw new DomainError(result.error.code, result.error.message, result.error.details);
  }

  async onModuleDestroy(): Promise<void> {
    await this.proxy.close();
  }
}
