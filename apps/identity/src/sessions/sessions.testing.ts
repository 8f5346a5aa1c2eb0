/** Fixtures for the session use cases' specs: sign-ins as the gateway reports them, and events as the bus brings them. */
import { randomUUID } from 'node:crypto';
import { INTEGRATION_TOPICS, SessionRpc, type IntegrationEvent, type SessionTokens } from '#contracts';
import { processBus } from '#messaging';
import type { ServiceUnderTest } from '#testing';

export const DEVICE = { ip: '203.0.113.7', userAgent: 'spec-browser/1.0' } as const;

/** A session as the gateway starts one after a sign-in that began `secondsAgo` before the service's clock. */
export function signedIn(
  identity: ServiceUnderTest,
  userId: string,
  {
    secondsAgo = 1,
    amr = ['pwd', 'otp'],
    context = DEVICE,
  }: { secondsAgo?: number; amr?: string[]; context?: object } = {},
): Promise<SessionTokens> {
  const authenticatedAt = new Date(identity.clock.now().getTime() - secondsAgo * 1000).toISOString();
  return identity.ok(SessionRpc.startSession, { userId, amr, authenticatedAt, context });
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
