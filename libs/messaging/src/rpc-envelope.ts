/**
 * What travels on the bus for one request, whatever the transport: the body
 * (the pattern's payload, its secret fields sealed) and what the service must
 * know about the call itself — an id the sealing is bound to, the caller's
 * deadline, and the key a secret answer must be sealed to. One piece of code
 * frames requests for every caller (the gateway's `ServiceClient`, the spec
 * harness) and unframes them for every service (`answer`).
 */
import { randomUUID, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { correlationId, DomainError, id, type Rpc } from '#contracts';
import { DeadlinePassed } from '#event-store';
import { requestContext } from '#observability';
import { generateX25519KeyPair, rawPublicKey, x25519PublicKey } from './sealing/hpke.js';
import { openFields, sealFields, UnsealableField, type SealingContext } from './sealing/sealed-fields.js';
import type { SealingKeyRing, SealingRecipient, SealingService } from './sealing/sealing-keys.js';

export const requestEnvelope = z.object({
  meta: z.object({
    requestId: z.uuid(),
    /** Epoch milliseconds after which the caller no longer waits: nothing may change after it. */
    deadline: z.number().int().positive(),
    /** A public key the caller made for this request alone; sealed answer fields are sealed to it. */
    replyKey: z.base64url().length(43).optional(),
    /** The session the request was made in (the access token's `sid`): recorded on the events it causes. */
    actingSessionId: id.optional(),
    /** The client request this one is part of (the gateway's `X-Request-Id`): in every log line and event it causes. */
    correlationId: correlationId.optional(),
  }),
  body: z.unknown(),
});
export type RequestEnvelope = z.infer<typeof requestEnvelope>;
export type RequestMeta = RequestEnvelope['meta'];

/** The key id of a reply sealed to the request's own key. */
const REPLY_KID = 'request';

/** Where a caller finds the key of each service that receives sealed fields. */
export type SealingRecipients = Readonly<Partial<Record<SealingService, () => SealingRecipient>>>;

export interface FramedRequest {
  readonly envelope: RequestEnvelope;
  /** The reply with its sealed fields opened; a field that does not open is `service_unavailable`. */
  openReply(reply: unknown): unknown;
}

const serviceOf = (rpc: Rpc): SealingService => rpc.pattern.split('.')[0] as SealingService;
const contextOf = (rpc: Rpc, requestId: string, direction: SealingContext['direction']): SealingContext => ({
  pattern: rpc.pattern,
  requestId,
  direction,
});

export function frameRequest(
  rpc: Rpc,
  payload: unknown,
  options: {
    readonly recipients: SealingRecipients;
    readonly timeoutMs: number;
    /** The session the caller acts in, if any (`meta.actingSessionId`). */
    readonly actingSessionId?: string;
    /** Default: the correlation id of the work the caller is doing (`requestContext`). */
    readonly correlationId?: string;
  },
): FramedRequest {
  const requestId = randomUUID();
  const correlationId = options.correlationId ?? requestContext().correlationId;
  let body = payload;
  if (rpc.sealed.request.length > 0) {
    const recipient = options.recipients[serviceOf(rpc)];
    if (!recipient) throw new Error(`no sealing key configured for ${serviceOf(rpc)}`);
    body = sealFields(payload, rpc.sealed.request, recipient(), contextOf(rpc, requestId, 'request'));
  }
  const replyKeys = rpc.sealed.response.length > 0 ? generateX25519KeyPair() : undefined;
  const meta: RequestMeta = {
    requestId,
    deadline: Date.now() + options.timeoutMs,
    ...(replyKeys ? { replyKey: rawPublicKey(replyKeys.publicKey).toString('base64url') } : {}),
    ...(options.actingSessionId ? { actingSessionId: options.actingSessionId } : {}),
    ...(correlationId ? { correlationId } : {}),
  };
  return {
    envelope: { meta, body },
    openReply: (reply) => {
      if (!replyKeys || !isSuccess(reply)) return reply;
      try {
        const privateKeyOf = (kid: string) => (kid === REPLY_KID ? replyKeys.privateKey : undefined);
        const value = openFields(reply.value, rpc.sealed.response, privateKeyOf, contextOf(rpc, requestId, 'reply'));
        return { ...reply, value };
      } catch (error) {
        if (error instanceof UnsealableField) {
          throw new DomainError('service_unavailable', `${serviceOf(rpc)} answered with ${error.message}`);
        }
        throw error;
      }
    },
  };
}

const isSuccess = (reply: unknown): reply is { ok: true; value: unknown } =>
  typeof reply === 'object' && reply !== null && (reply as { ok?: unknown }).ok === true;

export interface OpenedRequest {
  readonly meta: RequestMeta;
  readonly body: unknown;
}

/** The service's side: the envelope checked, the deadline not passed, the sealed fields opened. */
export function openRequest(rpc: Rpc, raw: unknown, keys: SealingKeyRing | null): OpenedRequest {
  const envelope = requestEnvelope.safeParse(raw);
  if (!envelope.success) throw new DomainError('invalid_payload', 'not a request envelope ({meta, body})');
  const { meta, body } = envelope.data;
  if (Date.now() > meta.deadline) throw new DeadlinePassed();
  try {
    const privateKeyOf = (kid: string): KeyObject | undefined => keys?.privateKey(kid);
    return {
      meta,
      body: openFields(body, rpc.sealed.request, privateKeyOf, contextOf(rpc, meta.requestId, 'request')),
    };
  } catch (error) {
    if (error instanceof UnsealableField) throw new DomainError('invalid_payload', error.message);
    throw error;
  }
}

/** The service's answer with its sealed fields sealed to the request's own key. */
export function sealReply(rpc: Rpc, meta: RequestMeta, value: unknown): unknown {
  if (rpc.sealed.response.length === 0) return value;
  if (!meta.replyKey) throw new DomainError('invalid_payload', 'meta.replyKey: required, the answer holds a secret');
  const recipient = { kid: REPLY_KID, publicKey: x25519PublicKey(Buffer.from(meta.replyKey, 'base64url')) };
  return sealFields(value, rpc.sealed.response, recipient, contextOf(rpc, meta.requestId, 'reply'));
}
