import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '#event-store';
import { identityIntegrationEvent } from '../identity.public.js';

const recorded = (
  stream: string,
  type: string,
  data: Record<string, unknown>,
  metadata: Record<string, unknown> = {},
): RecordedEvent => ({
  id: 'e1',
  stream,
  revision: 0,
  position: 42n,
  type,
  data: { schemaVersion: 1, ...data },
  metadata: { schemaVersion: 1, ...metadata },
  recordedAt: new Date('2025-03-01T10:00:09.000Z'),
});

const started = {
  sessionId: 's1',
  userId: 'u1',
  orgId: 'o1',
  roles: ['admin'],
  amr: ['pwd', 'otp'],
  authenticatedAt: '2025-03-01T09:59:58.000Z',
  startedAt: '2025-03-01T10:00:00.000Z',
  expiresAt: '2025-03-08T10:00:00.000Z',
  refreshTokenHash: 'c2VjcmV0LWhhc2gtb2YtdGhlLXJlZnJlc2gtdG9rZW4',
  refreshTokenExpiresAt: '2025-03-02T10:00:00.000Z',
  context: { ip: '203.0.113.7', userAgent: 'spec' },
};

describe('the public form of session events', () => {
  it('publishes SessionStarted keyed by the session, naming its user, without the refresh token hash', () => {
    const event = identityIntegrationEvent(recorded('session-s1', 'SessionStarted', started));

    expect(event).toEqual({
      eventId: 'e1',
      type: 'SessionStarted',
      schemaVersion: 1,
      aggregateId: 's1',
      userId: 'u1',
      orgId: 'o1',
      occurredAt: '2025-03-01T10:00:00.000Z',
      source: { stream: 'session-s1', revision: 0, position: '42' },
      data: {
        schemaVersion: 1,
        sessionId: 's1',
        userId: 'u1',
        orgId: 'o1',
        amr: ['pwd', 'otp'],
        authenticatedAt: started.authenticatedAt,
        startedAt: started.startedAt,
        expiresAt: started.expiresAt,
        context: started.context,
      },
    });
    expect(JSON.stringify(event)).not.toContain(started.refreshTokenHash);
  });

  it('publishes SessionRevoked with why, and the session whose request caused it', () => {
    const revoked = { sessionId: 's1', userId: 'u1', revokedAt: '2025-03-01T11:00:00.000Z', reason: 'revoked_by_user' };

    expect(
      identityIntegrationEvent(recorded('session-s1', 'SessionRevoked', revoked, { actingSessionId: 's2' })),
    ).toMatchObject({
      type: 'SessionRevoked',
      aggregateId: 's1',
      userId: 'u1',
      actingSessionId: 's2',
      occurredAt: revoked.revokedAt,
      data: { schemaVersion: 1, ...revoked },
    });
  });

  it('does not publish refreshes, the index of a user’s sessions, or a session event outside its stream', () => {
    const refreshed = {
      sessionId: 's1',
      refreshedAt: '2025-03-01T10:05:00.000Z',
      refreshTokenHash: 'bmV3LWhhc2g',
      refreshTokenExpiresAt: '2025-03-02T10:05:00.000Z',
      context: started.context,
    };
    expect(identityIntegrationEvent(recorded('session-s1', 'SessionRefreshed', refreshed))).toBeNull();
    expect(
      identityIntegrationEvent(recorded('user_sessions-u1', 'UserSessionListed', { userId: 'u1', sessionId: 's1' })),
    ).toBeNull();
    expect(identityIntegrationEvent(recorded('session-s2', 'SessionStarted', started))).toBeNull();
  });
});
