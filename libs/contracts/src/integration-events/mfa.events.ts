/**
 * `auth.mfa.events`: a user's MFA enrollment as the mfa service publishes it
 * (`mfa-enrollment.public.ts`). Never a secret (not even sealed: only its key
 * id), a code, or a recovery code's hash; a time-step number reveals nothing.
 */
import { z } from 'zod';
import { attemptContext, instant, integrationEventContract, publishedId } from './envelope.js';

const mfa = { service: 'mfa', keyedBy: 'userId', streamPrefix: 'mfa-' } as const;
const ids = { aggregateId: 'u-4f1c', userId: 'u-4f1c' };
const step = z.number().int().nonnegative().describe('A TOTP time-step (Unix time / period): used from now on');
const challengeId = publishedId.describe("The id of the login's mfaToken (names it without being one)");
const context = { ip: '203.0.113.9', userAgent: 'Mozilla/5.0' };

export const mfaEnrollmentStartedV1 = integrationEventContract({
  ...mfa,
  type: 'MfaEnrollmentStarted',
  schemaVersion: 1,
  summary:
    'A user started setting up MFA: a secret was generated (kept sealed in the mfa store; only its key id here).',
  payload: z.object({
    enrollmentId: publishedId,
    keyId: z.string().min(1).max(100).describe('The encryption key the secret is sealed with (for rotation audits)'),
    algorithm: z.enum(['SHA1', 'SHA256', 'SHA512']),
    digits: z.union([z.literal(6), z.literal(7), z.literal(8)]),
    period: z.number().int().positive(),
    issuer: z.string().max(200),
    label: z.string().max(300).describe('The account name shown in the app (the user’s email)'),
    startedAt: instant,
    expiresAt: instant,
  }),
  exampleIds: ids,
  exampleData: {
    enrollmentId: 'e-51aa',
    keyId: 'k-2031-01',
    algorithm: 'SHA1',
    digits: 6,
    period: 30,
    issuer: 'TOTP MFA',
    label: 'ada@example.com',
    startedAt: '2031-03-04T05:06:07.000Z',
    expiresAt: '2031-03-04T05:16:07.000Z',
  },
});

export const mfaActivatedV1 = integrationEventContract({
  ...mfa,
  type: 'MfaActivated',
  schemaVersion: 1,
  summary:
    "The codes of two consecutive time-steps were correct: MFA is active (the user's other sessions are revoked).",
  payload: z.object({ enrollmentId: publishedId, activatedAt: instant, steps: z.tuple([step, step]) }),
  exampleIds: ids,
  exampleData: { enrollmentId: 'e-51aa', activatedAt: '2031-03-04T05:06:07.000Z', steps: [65_343_601, 65_343_602] },
});

export const mfaChallengeVerifiedV2 = integrationEventContract({
  ...mfa,
  type: 'MfaChallengeVerified',
  schemaVersion: 2,
  summary: 'A sign-in code was accepted; its time-step can never be accepted again.',
  payload: z.object({
    step,
    verifiedAt: instant,
    challengeId: challengeId.nullable().describe('Null only for checks recorded before version 2'),
    context: attemptContext,
  }),
  exampleIds: ids,
  exampleData: { step: 65_343_601, verifiedAt: '2031-03-04T05:06:07.000Z', challengeId: 'c-0d4e', context },
});

export const mfaChallengeFailedV2 = integrationEventContract({
  ...mfa,
  type: 'MfaChallengeFailed',
  schemaVersion: 2,
  summary: 'A wrong (or replayed) code; carries the lock-out standing it led to, for audit.',
  payload: z.object({
    purpose: z.enum(['login', 'activation', 'deactivation', 'regeneration']),
    reason: z.enum(['invalid_code', 'replayed', 'locked', 'invalid_recovery_code', 'recovery_code_used']),
    failedAt: instant,
    consecutiveFailures: z.number().int().nonnegative(),
    failuresSinceSuccess: z.number().int().nonnegative(),
    locksSinceSuccess: z.number().int().nonnegative(),
    lockedUntil: instant.nullable().describe('The timed lock this failure set or left in force'),
    requiresAdminReset: z.boolean().describe('Locked until an admin resets the user’s MFA'),
    challengeId: challengeId.nullable(),
    context: attemptContext.nullable(),
  }),
  exampleIds: ids,
  exampleData: {
    purpose: 'login',
    reason: 'invalid_code',
    failedAt: '2031-03-04T05:06:07.000Z',
    consecutiveFailures: 5,
    failuresSinceSuccess: 5,
    locksSinceSuccess: 1,
    lockedUntil: '2031-03-04T05:11:07.000Z',
    requiresAdminReset: false,
    challengeId: 'c-0d4e',
    context,
  },
});

export const mfaDeactivatedV1 = integrationEventContract({
  ...mfa,
  type: 'MfaDeactivated',
  schemaVersion: 1,
  summary: 'MFA was switched off: by the user (a code and a confirmation) or by an admin reset (who, why).',
  payload: z.object({
    deactivatedAt: instant,
    by: z.discriminatedUnion('kind', [
      z.object({
        kind: z.literal('user'),
        step: step.nullable().describe('Null: confirmed with a recovery code'),
        context: attemptContext.nullable(),
      }),
      z.object({ kind: z.literal('admin'), adminId: publishedId, reason: z.string().max(1000) }),
    ]),
  }),
  exampleIds: ids,
  exampleData: {
    deactivatedAt: '2031-03-04T05:06:07.000Z',
    by: { kind: 'admin', adminId: 'u-admin-1', reason: 'phone lost' },
  },
});

export const recoveryCodesGeneratedV1 = integrationEventContract({
  ...mfa,
  type: 'RecoveryCodesGenerated',
  schemaVersion: 1,
  summary: 'A new set of recovery codes (how many, never the codes or their hashes).',
  payload: z.object({
    count: z.number().int().nonnegative(),
    reason: z.enum(['activation', 'regenerated']),
    generatedAt: instant,
  }),
  exampleIds: ids,
  exampleData: { count: 10, reason: 'regenerated', generatedAt: '2031-03-04T05:06:07.000Z' },
});

export const recoveryCodeUsedV1 = integrationEventContract({
  ...mfa,
  type: 'RecoveryCodeUsed',
  schemaVersion: 1,
  summary: 'A recovery code was used to sign in (not which one); how many are left.',
  payload: z.object({
    remaining: z.number().int().nonnegative(),
    usedAt: instant,
    challengeId,
    context: attemptContext,
  }),
  exampleIds: ids,
  exampleData: { remaining: 7, usedAt: '2031-03-04T05:06:07.000Z', challengeId: 'c-0d4e', context },
});

/** Every event type of `auth.mfa.events`, by type and schema version. */
export const MFA_INTEGRATION_EVENTS = {
  MfaEnrollmentStarted: { 1: mfaEnrollmentStartedV1 },
  MfaActivated: { 1: mfaActivatedV1 },
  MfaChallengeVerified: { 2: mfaChallengeVerifiedV2 },
  MfaChallengeFailed: { 2: mfaChallengeFailedV2 },
  MfaDeactivated: { 1: mfaDeactivatedV1 },
  RecoveryCodesGenerated: { 1: recoveryCodesGeneratedV1 },
  RecoveryCodeUsed: { 1: recoveryCodeUsedV1 },
} as const;
