/**
 * Between the event store and the domain: domain events as appended
 * (`encodeMfaEvent`: the payload carries its `schemaVersion`) and stored events
 * as the current shapes (`decodeMfaEvent`: an older payload is lifted one
 * version at a time). Introducing version 2 of an event is one function: add
 * `steps: { MfaActivated: { 1: (v1) => v2 } }`, bump its current version (and
 * its type in mfa-enrollment.events.ts).
 */
import { eventCodec, type StoredEventData } from '#event-store';
import type { MfaEnrollmentEvent } from './mfa-enrollment.events.js';

export type { StoredEventData };

export const mfaEventCodec = eventCodec<MfaEnrollmentEvent>({
  currentVersions: {
    MfaEnrollmentStarted: 1,
    MfaActivated: 1,
    MfaChallengeVerified: 1,
    MfaChallengeFailed: 1,
    MfaDeactivated: 1,
  },
});

/** A stored event as the current domain event (the shape of AggregateRepository's `upcast`). */
export const decodeMfaEvent = (recorded: {
  readonly stream?: string;
  readonly type: string;
  readonly data: StoredEventData;
}): MfaEnrollmentEvent => mfaEventCodec.upcast(recorded);

/** A domain event as it is appended: its payload carries its version, repeated in the metadata for readers. */
export const encodeMfaEvent = mfaEventCodec.encode;
