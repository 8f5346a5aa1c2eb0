/**
 * Stored MFA events of any schema version to the current domain events and
 * back. Introducing version 2 of an event is one step here
 * (`steps: { MfaActivated: { 1: (v1) => v2 } }`), its current version bumped
 * and its type in mfa-enrollment.events.ts changed.
 *
 * Version 2 (issue 8: escalating lock-out, single-use mfaToken):
 * - `MfaChallengeVerified` names the login's `mfaToken` (`challengeId`); a v1
 *   verification had none (null: it used no token up).
 * - `MfaChallengeFailed` records the whole lock-out standing and the
 *   `challengeId`. A v1 failure knew only the count since the last expired lock
 *   and the lock it set, so it is read as what it can vouch for: that count
 *   since the last success, the lock it shows as the first since the last
 *   success, no lock until an admin reset. A stream written before version 2
 *   thus starts escalating, and counting toward the admin-reset lock, from its
 *   last v1 failure: lenient once, for history that predates the rule.
 *
 * Issue 9 added `RecoveryCodesGenerated` and `RecoveryCodeUsed` (version 1),
 * and new values only (no new fields) to `MfaChallengeFailed`: purpose
 * 'regeneration', reasons 'invalid_recovery_code' and 'recovery_code_used'.
 *
 * Issue 11 added `MfaSecretResealed` (version 1): `ops reencrypt`'s key rotation.
 */
import { eventCodec, type StoredEventData } from '#event-store';
import type { MfaEnrollmentEvent } from './mfa-enrollment.events.js';

export const mfaEnrollmentCodec = eventCodec<MfaEnrollmentEvent>({
  currentVersions: {
    MfaEnrollmentStarted: 1,
    MfaActivated: 1,
    MfaChallengeVerified: 2,
    MfaChallengeFailed: 2,
    MfaDeactivated: 1,
    RecoveryCodesGenerated: 1,
    RecoveryCodeUsed: 1,
    MfaSecretResealed: 1,
  },
  steps: {
    MfaChallengeVerified: { 1: (v1) => ({ ...v1, schemaVersion: 2, challengeId: null }) },
    MfaChallengeFailed: { 1: (v1) => challengeFailedV2(v1) },
  },
});

function challengeFailedV2(v1: StoredEventData): StoredEventData {
  return {
    ...v1,
    schemaVersion: 2,
    failuresSinceSuccess: v1['consecutiveFailures'],
    locksSinceSuccess: v1['lockedUntil'] === null ? 0 : 1,
    requiresAdminReset: false,
    challengeId: null,
  };
}
