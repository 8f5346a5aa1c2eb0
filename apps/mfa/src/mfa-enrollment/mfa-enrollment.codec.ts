/**
 * Stored MFA events of any schema version to the current domain events and
 * back. Introducing version 2 of an event is one step here
 * (`steps: { MfaActivated: { 1: (v1) => v2 } }`), its current version bumped
 * and its type in mfa-enrollment.events.ts changed.
 */
import { eventCodec } from '#event-store';
import type { MfaEnrollmentEvent } from './mfa-enrollment.events.js';

export const mfaEnrollmentCodec = eventCodec<MfaEnrollmentEvent>({
  currentVersions: {
    MfaEnrollmentStarted: 1,
    MfaActivated: 1,
    MfaChallengeVerified: 1,
    MfaChallengeFailed: 1,
    MfaDeactivated: 1,
  },
});
