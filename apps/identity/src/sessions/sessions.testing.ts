/** Fixtures for the session use cases' specs: sign-ins as the gateway reports them, and events as the bus brings them. */
import { randomUUID } from 'node:crypto';
import {
  INTEGRATION_TOPICS,
  mintRefreshToken,
  refreshTokenHashOf,
  SessionRpc,
  sessionIdOf,
  type IntegrationEvent,
  type SessionGrant,
} from '#contracts';
import { processBus } from '#messaging';
import type { ServiceUnderTest } from '#testing';

export const DEVICE = { ip: '203.0.113.7', userAgent: 'spec-browser/1.0' } as const;

/** A session as its holder knows it: what identity granted, and the refresh token the gateway made. */
export type HeldSession = SessionGrant & { readonly refreshToken: string };

/**
 * A session as the gateway starts one after a sign-in that began `secondsAgo`
 * before the service's clock: it makes the refresh token and sends its hash.
 */
export async function signedIn(
  identity: ServiceUnderTest,
  userId: string,
  {
    secondsAgo = 1,
    amr = ['pwd', 'otp'],
    context = DEVICE,
  }: { secondsAgo?: number; amr?: string[]; context?: object } = {},
): Promise<HeldSession> {
  const authenticatedAt = new Date(identity.clock.now().getTime() - secondsAgo * 1000).toISOString();
  const { sessionId, refreshToken, refreshTokenHash } = mintRefreshToken();
  const grant = await identity.ok(SessionRpc.startSession, {
    sessionId,
    refreshTokenHash,
    userId,
    amr,
    authenticatedAt,
    context,
  });
  return { ...grant, refreshToken };
}

/** A refresh as the gateway asks for one (the hashes of the presented token and of the next); the next token with the grant. */
export async function refreshed(identity: ServiceUnderTest, refreshToken: string, context: object = DEVICE) {
  const next = mintRefreshToken(sessionIdOf(refreshToken));
  const outcome = await identity.call(SessionRpc.refreshSession, {
    sessionId: next.sessionId,
    presentedHash: refreshTokenHashOf(refreshToken),
    refreshTokenHash: next.refreshTokenHash,
    context,
  });
  return outcome.ok ? { ok: true as const, value: { ...outcome.value, refreshToken: next.refreshToken } } : outcome;
}

/** A logout as the gateway asks for one: the session and the presented token's hash. */
export function loggedOut(identity: ServiceUnderTest, refreshToken: string) {
  return identity.call(SessionRpc.endSession, {
    sessionId: sessionIdOf(refreshToken),
    presentedHash: refreshTokenHashOf(refreshToken),
  });
}

/** An integration event of `type` for `userId`, as a relay publishes it (in process: awaited by every subscriber). */
export async function published(
  topic: keyof typeof INTEGRATION_TOPICS,
  type: string,
  userId: string,
  {
    occurredAt,
    data = {},
    actingSessionId,
  }: { occurredAt: Date; data?: Record<string, unknown>; actingSessionId?: string },
): Promise<IntegrationEvent> {
  const event: IntegrationEvent = {
    eventId: randomUUID(),
    type,
    schemaVersion: 1,
    aggregateId: userId,
    userId,
    ...(actingSessionId ? { actingSessionId } : {}),
    occurredAt: occurredAt.toISOString(),
    source: { stream: `spec-${userId}`, revision: 0, position: '1' },
    data,
  };
  await processBus.emit(INTEGRATION_TOPICS[topic], event);
  return event;
}
