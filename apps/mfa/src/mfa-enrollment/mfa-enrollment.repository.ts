import { Inject, Injectable, Logger } from '@nestjs/common';
import { CONFIG, type MfaConfig } from '#config';
import {
  AggregateRepository,
  EVENT_STORE,
  EventStoreSnapshots,
  type EventStore,
  type EventStoreSnapshotsOptions,
} from '#event-store';
import { mfaEnrollmentCodec } from './mfa-enrollment.codec.js';
import type { MfaEnrollmentCommand } from './mfa-enrollment.commands.js';
import { mfaEnrollmentDecider } from './mfa-enrollment.decider.js';
import { mfaStreamName, type MfaEnrollmentEvent } from './mfa-enrollment.events.js';
import { rejectionOf } from './mfa-enrollment.rejection.js';
import type { MfaEnrollmentState } from './mfa-enrollment.state.js';
import { countCodeChecks } from './code-check-metrics.js';

/**
 * A command formed from the state it is decided on. Codes become time-steps
 * under the secret of that very state, inside each attempt: should a
 * concurrent request replace the pending enrollment, the retry matches the
 * codes against the new secret instead of activating it with the old one's.
 */
export type CommandFor = (state: MfaEnrollmentState) => MfaEnrollmentCommand;

/**
 * Flat verification cost (issue item 5): a verification must not replay a
 * stream that grows with every login. The state is saved as a snapshot (plain
 * JSON already, sealed secret included: the same ciphertext the events hold)
 * to the sibling stream `mfa_snapshot-<userId>` once 20 events were appended
 * since the last one, so a load is one indexed read of the newest snapshot
 * plus at most 19 events, whether the user logged in ten times or ten
 * thousand. Why 20: the events replayed after a snapshot then average about
 * ten, what a new user's stream holds, so a long-standing user verifies as
 * fast as a new one (with 50 the replay of ~25 events made the call
 * measurably slower in-process, ~1.2x; bench/mfa-verify.bench.ts); the price
 * is one more durable write with every 20th command. Snapshots are a cache:
 * the events stay the truth, a snapshot of another version is ignored and the
 * stream replayed.
 */
export const SNAPSHOT_EVERY = 20;

/**
 * Bump when MfaEnrollmentState changes shape (2: the lock-out standing and the
 * used mfaToken ids, issue 8; 3: an active enrollment's recovery codes, issue 9).
 */
const SNAPSHOT_VERSION = 3;

/** How `mfa-<userId>` is snapshotted: by the repository, and by `ops rebuild-snapshots`. */
export const MFA_ENROLLMENT_SNAPSHOTS: EventStoreSnapshotsOptions<MfaEnrollmentState> = {
  every: SNAPSHOT_EVERY,
  version: SNAPSHOT_VERSION,
  serialize: (state) => state,
  deserialize: (json) => json as MfaEnrollmentState,
};

/**
 * Conflicts on one user's stream come from that user's concurrent requests
 * (double submits, an attacker's parallel guesses). Each retry decides on the
 * new state, so a lost race ends as the refusal it deserves; a few more
 * attempts than the default let a burst of parallel requests all get that
 * answer rather than an internal error.
 */
const RETRY = { maxAttempts: 10, baseDelayMs: 5 } as const;

const logger = new Logger('MfaEnrollmentRepository');

/** The `MfaEnrollment` aggregates, one stream per user: load, and decide → append at the expected revision → refusal. */
@Injectable()
export class MfaEnrollmentRepository extends AggregateRepository<CommandFor, MfaEnrollmentEvent, MfaEnrollmentState> {
  constructor(@Inject(EVENT_STORE) store: EventStore, @Inject(CONFIG) config: MfaConfig) {
    const decider = mfaEnrollmentDecider({
      maxFailedAttempts: config.MFA_MAX_FAILED_ATTEMPTS,
      lockoutSeconds: config.MFA_LOCKOUT_SECONDS,
      maxLockoutSeconds: config.MFA_LOCKOUT_MAX_SECONDS,
      permanentLockAfter: config.MFA_PERMANENT_LOCK_AFTER,
    });
    super(store, {
      decider: { ...decider, decide: (commandFor, state) => decider.decide(commandFor(state), state) },
      codec: mfaEnrollmentCodec,
      snapshots: new EventStoreSnapshots(store, MFA_ENROLLMENT_SNAPSHOTS),
      retry: RETRY,
      onSnapshotError: (error, stream) =>
        logger.warn(`snapshot of ${stream} not saved: ${error instanceof Error ? error.message : 'unknown error'}`),
    });
  }

  async stateOf(userId: string): Promise<MfaEnrollmentState> {
    return (await this.load(mfaStreamName(userId))).state;
  }

  /**
   * Decides `commandFor` on the user's current state and appends what it
   * decided at the loaded revision (the whole attempt is retried on a
   * conflict). A refusal is thrown as the aggregate's `DomainError`: by the
   * decider (nothing recorded), or stood for by a failed check, which is
   * appended first because it drives lock-out and audit.
   */
  async execute(userId: string, commandFor: CommandFor): Promise<MfaEnrollmentState> {
    const handled = await this.handle(mfaStreamName(userId), commandFor);
    countCodeChecks(handled.events);
    const rejection = rejectionOf(handled.events);
    if (rejection) throw rejection;
    return handled.state;
  }
}
