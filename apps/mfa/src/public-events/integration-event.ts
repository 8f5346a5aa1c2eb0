import type { IntegrationEvent } from '#contracts';
import type { RecordedEvent } from '#event-store';
import { integrationEventOf } from '#messaging';
import { publicEventOf } from './public-event.js';

const MFA_STREAM_PREFIX = 'mfa-';

/**
 * What the relay publishes on `auth.mfa.events` for a stored event: the
 * public form of the events of `mfa-<userId>` streams, keyed by user. Nothing
 * else the store holds is published (snapshots in `mfa_snapshot-*`, the relay's
 * own checkpoints).
 */
export function toIntegrationEvent(recorded: RecordedEvent): IntegrationEvent | null {
  if (!recorded.stream.startsWith(MFA_STREAM_PREFIX)) return null;
  const userId = recorded.stream.slice(MFA_STREAM_PREFIX.length);
  const { schemaVersion, occurredAt, data } = publicEventOf(recorded);
  return integrationEventOf(recorded, { schemaVersion, aggregateId: userId, userId, occurredAt, data });
}
