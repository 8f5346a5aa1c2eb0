/**
 * What of an MFA event may leave the service: the admin's audit history
 * (`mfa.get-history`) and the integration events on `auth.mfa.events` both
 * show exactly this. An allow-list per event type, not a deny-list: a field
 * added to an event later stays private until it is written here. The sealed
 * secret never leaves, not even as ciphertext; its key id does (it names the
 * key for rotation audits and reveals nothing). Each form is typed by its
 * contract in libs/contracts (integration-events/mfa.events.ts): a field
 * listed here must be named there too.
 */
import { assertNever, type PublishedData } from '#contracts';
import type { PublishedAggregate } from '#messaging';
import { mfaEnrollmentCodec } from './mfa-enrollment.codec.js';
import {
  MFA_STREAM_PREFIX,
  type ChallengeContext,
  type DeactivatedBy,
  type MfaEnrollmentEvent,
} from './mfa-enrollment.events.js';

export const publishedMfaEnrollment: PublishedAggregate<MfaEnrollmentEvent> = {
  streamPrefix: MFA_STREAM_PREFIX,
  idKey: 'userId',
  codec: mfaEnrollmentCodec,
  publicForms: {
    MfaEnrollmentStarted: ({ data }) => {
      const { enrollmentId, secret, algorithm, digits, period, issuer, label, startedAt, expiresAt } = data;
      return {
        occurredAt: startedAt,
        data: {
          enrollmentId,
          keyId: secret.keyId,
          algorithm,
          digits,
          period,
          issuer,
          label,
          startedAt,
          expiresAt,
        } satisfies PublishedData<'MfaEnrollmentStarted'>,
      };
    },
    MfaActivated: ({ data: { enrollmentId, activatedAt, steps } }) => ({
      occurredAt: activatedAt,
      data: { enrollmentId, activatedAt, steps: [...steps] } satisfies PublishedData<'MfaActivated'>,
    }),
    // The challenge id names the login's mfaToken without being one (the token is signed; its id opens nothing).
    MfaChallengeVerified: ({ data: { step, verifiedAt, challengeId, context } }) => ({
      occurredAt: verifiedAt,
      data: {
        step,
        verifiedAt,
        challengeId,
        context: publicContext(context),
      } satisfies PublishedData<'MfaChallengeVerified'>,
    }),
    MfaChallengeFailed: ({ data }) => {
      const { purpose, reason, failedAt, consecutiveFailures, failuresSinceSuccess, locksSinceSuccess } = data;
      const { lockedUntil, requiresAdminReset, challengeId, context } = data;
      return {
        occurredAt: failedAt,
        data: {
          purpose,
          reason,
          failedAt,
          consecutiveFailures,
          failuresSinceSuccess,
          locksSinceSuccess,
          lockedUntil,
          requiresAdminReset,
          challengeId,
          context: context ? publicContext(context) : null,
        } satisfies PublishedData<'MfaChallengeFailed'>,
      };
    },
    MfaDeactivated: ({ data: { deactivatedAt, by } }) => ({
      occurredAt: deactivatedAt,
      data: { deactivatedAt, by: publicDeactivator(by) } satisfies PublishedData<'MfaDeactivated'>,
    }),
    // How many, never the hashes: keyed, but still what a guess would be checked against.
    RecoveryCodesGenerated: ({ data: { hashes, reason, generatedAt } }) => ({
      occurredAt: generatedAt,
      data: { count: hashes.length, reason, generatedAt } satisfies PublishedData<'RecoveryCodesGenerated'>,
    }),
    // Not which code (its place in the set tells nobody anything useful, and is the owner's business).
    RecoveryCodeUsed: ({ data: { remaining, usedAt, challengeId, context } }) => ({
      occurredAt: usedAt,
      data: {
        remaining,
        usedAt,
        challengeId,
        context: publicContext(context),
      } satisfies PublishedData<'RecoveryCodeUsed'>,
    }),
    // The operator's key rotation, not something the user did: nothing for another service to act on, and
    // its one field of interest is the sealed secret. Kept in the store (ops history and export name it).
    MfaSecretResealed: null,
  },
};

function publicDeactivator(by: DeactivatedBy): PublishedData<'MfaDeactivated'>['by'] {
  switch (by.kind) {
    case 'user':
      return { kind: 'user', step: by.step, context: by.context ? publicContext(by.context) : null };
    case 'admin':
      return { kind: 'admin', adminId: by.adminId, reason: by.reason };
    default:
      return assertNever(by);
  }
}

const publicContext = ({ ip, userAgent }: ChallengeContext): ChallengeContext => ({ ip, userAgent });
