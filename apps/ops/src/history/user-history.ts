import type { RecordedEvent } from '#event-store';
import { emailReservationStream } from '../../../identity/src/email-reservation/email-reservation.events.js';
import { normaliseEmail } from '../../../identity/src/email-reservation/email.js';
import { SESSION_STREAM_PREFIX } from '../../../identity/src/sessions/session.events.js';
import { userStream } from '../../../identity/src/users/user.events.js';
import { mfaStreamName } from '../../../mfa/src/mfa-enrollment/mfa-enrollment.events.js';
import type { ServiceName } from '../audited-services.js';
import type { AuditSource } from '../audit-sources.js';
import { publicFormOf } from '../export/export-events.js';
import type { ExportedPublicForm } from '../export/export-line.js';
import { renderTable, type OpsIo } from '../ops-io.js';

/** One line of a user's history: what the public form of the event tells, nothing more. */
export interface HistoryEntry {
  readonly time: string;
  readonly service: ServiceName;
  readonly stream: string;
  readonly revision: number;
  readonly event: string;
  readonly who: string;
  readonly from: string;
  readonly reason: string;
  /** The event as its service publishes it; null: it never leaves the service (only its type is shown). */
  readonly public: ExportedPublicForm | null;
}

/**
 * `ops history <user id | email>`: the user's identity events (the user
 * stream, their sessions) and MFA events, oldest first. An email is looked up
 * through identity's reservation of it, as identity does at sign-in.
 */
export async function userHistory(
  sources: readonly AuditSource[],
  who: string,
  io: OpsIo,
  json: boolean,
): Promise<number> {
  const identity = sources.find((source) => source.services.includes('identity'));
  const mfa = sources.find((source) => source.services.includes('mfa'));
  const userId = who.includes('@') ? await userIdOfEmail(identity, who) : who;
  if (userId === undefined) {
    io.err.write('history: no user has that email address\n');
    return 1;
  }

  const entries: HistoryEntry[] = [];
  const add = (source: AuditSource, service: ServiceName, events: readonly RecordedEvent[]) => {
    for (const event of events) entries.push(entryOf(source, service, event));
  };
  if (identity) {
    add(identity, 'identity', await identity.store.read(userStream(userId)));
    const sessions: RecordedEvent[] = [];
    for await (const event of identity.store.readAll({ streamPrefixes: [SESSION_STREAM_PREFIX] })) {
      if (publicFormOf(identity, event)?.userId === userId) sessions.push(event);
    }
    add(identity, 'identity', sessions);
  }
  if (mfa) add(mfa, 'mfa', await mfa.store.read(mfaStreamName(userId)));
  if (entries.length === 0) {
    io.err.write(`history: no event of user ${userId}\n`);
    return 1;
  }
  // Stable: events of one stream keep their order when their times are equal.
  entries.sort((a, b) => a.time.localeCompare(b.time));

  if (json) {
    io.out(`${JSON.stringify({ userId, events: entries }, null, 2)}\n`);
  } else {
    io.out(`history of user ${userId}\n`);
    io.out(
      renderTable(
        ['time', 'service', 'event', 'who', 'from', 'reason'],
        entries.map((entry) => [entry.time, entry.service, entry.event, entry.who, entry.from, entry.reason]),
      ),
    );
  }
  return 0;
}

/** The user holding `email`, as identity's reservation of it says; undefined: nobody (or no identity store). */
export async function userIdOfEmail(identity: AuditSource | undefined, email: string): Promise<string | undefined> {
  if (!identity) return undefined;
  let stream: string;
  try {
    stream = emailReservationStream(normaliseEmail(email));
  } catch {
    return undefined;
  }
  const [reserved] = await identity.store.read(stream, { direction: 'backwards', maxCount: 1 });
  const userId = reserved?.data['userId'];
  return typeof userId === 'string' ? userId : undefined;
}

function entryOf(source: AuditSource, service: ServiceName, event: RecordedEvent): HistoryEntry {
  const published = publicFormOf(source, event);
  const data = published?.data ?? {};
  return {
    time: published?.occurredAt ?? event.recordedAt.toISOString(),
    service,
    stream: event.stream,
    revision: event.revision,
    event: event.type,
    who: whoOf(data, published?.actingSessionId),
    from: fromWhere(data),
    reason: reasonOf(data),
    public: published,
  };
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const record = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;

/** Who acted: whom the public form names, else the session the request was made in, if any. */
function whoOf(data: Record<string, unknown>, actingSessionId: string | undefined): string {
  const by = record(data['by']);
  if (by?.['kind'] === 'admin') return `admin ${text(by['adminId']) ?? '?'}`;
  if (by?.['kind'] === 'user') return 'the user';
  for (const key of ['changedBy', 'setBy', 'unlockedBy', 'createdBy', 'revokedBy']) {
    const id = text(data[key]);
    if (id) return `${key.replace(/By$/, ' by')} ${id}`;
  }
  return actingSessionId ? `session ${actingSessionId}` : '-';
}

function fromWhere(data: Record<string, unknown>): string {
  const context = record(data['context']) ?? record(record(data['by'])?.['context']) ?? data;
  return text(context['ip']) ?? '-';
}

function reasonOf(data: Record<string, unknown>): string {
  const reason = text(data['reason']) ?? text(record(data['by'])?.['reason']);
  const purpose = text(data['purpose']);
  if (purpose && reason) return `${purpose}: ${reason}`;
  return reason ?? '-';
}
