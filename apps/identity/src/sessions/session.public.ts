import { pickFields, type PublishableField, type PublishedAggregate } from '#messaging';
import { sessionEventCodec } from './session.codec.js';
import {
  SESSION_STREAM_PREFIX,
  type SessionEvent,
  type SessionRevoked,
  type SessionStarted,
} from './session.events.js';

/**
 * What of sessions other services see on `auth.identity.events`: starts and
 * revocations (the gateway refuses the access tokens of a revoked session),
 * never a refresh token's hash (its contract,
 * libs/contracts/src/integration-events/identity.events.ts, names none). Refreshes stay inside identity: one every few
 * minutes per signed-in device, and their only news is a new hash.
 */
const PUBLISHED_FIELDS = {
  SessionStarted: ['sessionId', 'userId', 'orgId', 'amr', 'authenticatedAt', 'startedAt', 'expiresAt', 'context'],
  SessionRevoked: ['sessionId', 'userId', 'revokedAt', 'reason'],
} as const satisfies {
  SessionStarted: ReadonlyArray<PublishableField<SessionStarted>>;
  SessionRevoked: ReadonlyArray<PublishableField<SessionRevoked>>;
};

export const publishedSession: PublishedAggregate<SessionEvent> = {
  streamPrefix: SESSION_STREAM_PREFIX,
  idKey: 'sessionId',
  codec: sessionEventCodec,
  publicForms: {
    SessionStarted: ({ data }) => ({
      data: pickFields(data, PUBLISHED_FIELDS.SessionStarted),
      userId: data.userId,
      orgId: data.orgId,
      occurredAt: data.startedAt,
    }),
    SessionRefreshed: null,
    SessionRevoked: ({ data }) => ({
      data: pickFields(data, PUBLISHED_FIELDS.SessionRevoked),
      userId: data.userId,
      occurredAt: data.revokedAt,
    }),
  },
};
