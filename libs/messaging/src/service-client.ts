import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';
import { firstValueFrom, timeout, TimeoutError } from 'rxjs';
import type { z } from 'zod';
import { DomainError, type RequestOf, type Rpc } from '#contracts';
import { rpcClientDuration, secondsSince } from '#observability';
import { KafkaRequestClient } from './kafka/kafka-request.client.js';
import { frameRequest, type SealingRecipients } from './rpc-envelope.js';

export const RPC_CLIENT = Symbol('RPC_CLIENT');
export const RPC_TIMEOUT_MS = Symbol('RPC_TIMEOUT_MS');
export const SEALING_RECIPIENTS = Symbol('SEALING_RECIPIENTS');

/**
 * Request/reply with a service, whatever the transport: answers the value, or
 * throws the service's `DomainError`. A service that does not answer in time,
 * or answers something its contract does not allow, is `service_unavailable`:
 * a reply is used only once it passed the pattern's schema (unknown fields are
 * dropped), so nothing a service or the broker hands over is trusted blindly.
 * Requests go out framed (`frameRequest`): passwords and codes sealed to the
 * service, a deadline, a one-time key for a secret answer, and the correlation
 * id of the work in progress (`requestContext`). Each call's latency is
 * observed by pattern and outcome (`totp_mfa_rpc_client_duration_seconds`).
 */
@Injectable()
export class ServiceClient implements OnModuleDestroy {
  private readonly logger = new Logger(ServiceClient.name);

  constructor(
    @Inject(RPC_CLIENT) private readonly proxy: ClientProxy,
    @Inject(RPC_TIMEOUT_MS) private readonly timeoutMs: number,
    @Inject(SEALING_RECIPIENTS) private readonly recipients: SealingRecipients,
  ) {}

  /**
   * `actingSessionId`: the session (access token `sid`) the request is made in;
   * the service records it on the events the request causes.
   */
  async call<R extends Rpc>(
    rpc: R,
    payload: RequestOf<R>,
    options: { readonly actingSessionId?: string | undefined } = {},
  ): Promise<z.output<R['response']>> {
    const startedAt = performance.now();
    let outcome = 'ok';
    try {
      return await this.request(rpc, payload, options);
    } catch (error) {
      outcome = error instanceof DomainError ? error.code : 'internal_error';
      throw error;
    } finally {
      rpcClientDuration.observe({ pattern: rpc.pattern, outcome }, secondsSince(startedAt));
    }
  }

  private async request<R extends Rpc>(
    rpc: R,
    payload: RequestOf<R>,
    options: { readonly actingSessionId?: string | undefined },
  ): Promise<z.output<R['response']>> {
    const service = rpc.pattern.split('.')[0];
    const framed = frameRequest(rpc, payload, {
      recipients: this.recipients,
      timeoutMs: this.timeoutMs,
      ...(options.actingSessionId ? { actingSessionId: options.actingSessionId } : {}),
    });
    let reply: unknown;
    try {
      reply = await firstValueFrom(this.proxy.send(rpc.pattern, framed.envelope).pipe(timeout(this.timeoutMs)));
    } catch (error) {
      if (error instanceof TimeoutError) {
        throw new DomainError('service_unavailable', `${service} did not answer within ${this.timeoutMs} ms`);
      }
      throw new DomainError('service_unavailable', `${service} could not be reached`);
    }
    const parsed = rpc.result.safeParse(framed.openReply(reply));
    if (!parsed.success) {
      // Paths only: a reply that breaks its contract may hold anything.
      const problems = parsed.error.issues.map((issue) => issue.path.join('.') || 'reply').join(', ');
      this.logger.error(`${rpc.pattern}: reply refused, it does not match the contract (${problems})`);
      throw new DomainError('service_unavailable', `${service} answered something unexpected`);
    }
    const result = parsed.data;
    if (result.ok) return result.value as z.output<R['response']>;
    throw new DomainError(result.error.code, result.error.message, result.error.details);
  }

  /** Whether replies can reach it: on Kafka, its reply consumer is in its group (in process, always). */
  get connected(): boolean {
    return !(this.proxy instanceof KafkaRequestClient) || this.proxy.consuming;
  }

  async onModuleDestroy(): Promise<void> {
    await this.proxy.close();
  }
}
