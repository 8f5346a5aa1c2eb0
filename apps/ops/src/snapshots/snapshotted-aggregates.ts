/**
 * The aggregates whose repositories keep snapshots, each with the very
 * snapshot settings its repository reads them with (version, encoding), and
 * its codec and decider as `verify` replays them (audited-services.ts). A
 * repository that starts keeping snapshots is listed here too (a spec looks
 * for `new EventStoreSnapshots(` in apps/ and counts).
 */
import type { EventStoreSnapshotsOptions } from '#event-store';
import { SESSION_SNAPSHOTS } from '../../../identity/src/sessions/session.repository.js';
import { SESSION_STREAM_PREFIX } from '../../../identity/src/sessions/session.events.js';
import { USER_SESSIONS_SNAPSHOTS } from '../../../identity/src/user-sessions/user-sessions.repository.js';
import { userSessionsStream } from '../../../identity/src/user-sessions/user-sessions.events.js';
import { MFA_STREAM_PREFIX } from '../../../mfa/src/mfa-enrollment/mfa-enrollment.events.js';
import { MFA_ENROLLMENT_SNAPSHOTS } from '../../../mfa/src/mfa-enrollment/mfa-enrollment.repository.js';
import { AUDITED_AGGREGATES, type AuditedAggregate } from '../audited-services.js';

export interface SnapshottedAggregate {
  readonly aggregate: AuditedAggregate;
  readonly snapshots: EventStoreSnapshotsOptions<unknown>;
}

function snapshotted<State>(stream: string, snapshots: EventStoreSnapshotsOptions<State>): SnapshottedAggregate {
  const aggregate = AUDITED_AGGREGATES.find((candidate) => candidate.stream === stream);
  if (!aggregate) throw new Error(`no audited aggregate has the streams ${stream}…`);
  return { aggregate, snapshots: snapshots as EventStoreSnapshotsOptions<unknown> };
}

export const SNAPSHOTTED_AGGREGATES: readonly SnapshottedAggregate[] = [
  snapshotted(SESSION_STREAM_PREFIX, SESSION_SNAPSHOTS),
  snapshotted(userSessionsStream(''), USER_SESSIONS_SNAPSHOTS),
  snapshotted(MFA_STREAM_PREFIX, MFA_ENROLLMENT_SNAPSHOTS),
];
