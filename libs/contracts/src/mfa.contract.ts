import { z } from 'zod';
import { healthReport, rpc } from './rpc.js';
import { email, empty, id, loginContext, totpCode } from './schemas.js';

const instant = z.iso.datetime();

/** How many recovery codes a set holds (one set per activation or regeneration). */
export const RECOVERY_CODE_COUNT = 10;

/**
 * Crockford's base32 alphabet: digits and upper-case letters without I, L, O
 * and U, so nothing a person reads off paper looks like something else.
 * A recovery code is 16 of its characters (16 × 5 = 80 random bits).
 */
export const RECOVERY_CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const RECOVERY_CODE_LENGTH = 16;

/**
 * A recovery code as typed, to its canonical form: case, spaces and dashes do
 * not matter, and Crockford's look-alikes are read as he meant them (O as 0,
 * I and L as 1). Anything that is not then 16 characters of the alphabet is
 * refused as malformed (at the HTTP edge `validation_failed`), never quoted.
 */
export const recoveryCode = z
  .string()
  .max(64)
  .transform((typed) => typed.replace(/[\s-]/g, '').toUpperCase().replace(/O/g, '0').replace(/[IL]/g, '1'))
  .pipe(z.string().regex(/^[0-9A-HJKMNP-TV-Z]{16}$/, 'must be a recovery code (16 letters and digits)'));

/**
 * A new set as shown to its owner, `xxxx-xxxx-xxxx-xxxx` each. On the bus it is
 * one string (the ten codes separated by spaces) because sealing seals
 * top-level string fields; the caller's schema check turns it into the list.
 */
export const recoveryCodeList = z
  .string()
  .max(1000)
  .transform((codes) => codes.split(' '))
  .pipe(z.array(z.string().regex(/^[0-9a-hjkmnp-tv-z]{4}(?:-[0-9a-hjkmnp-tv-z]{4}){3}$/)).length(RECOVERY_CODE_COUNT));

/**
 * `recoveryCodesRemaining`: unused codes of the current set while MFA is
 * active (0 if it has none), else null. Its defaults read the answer of an mfa
 * service from before recovery codes (a rolling upgrade) as what it was: no codes.
 */
export const mfaStatusView = z.discriminatedUnion('status', [
  z.object({
    status: z.enum(['inactive', 'pending']),
    activatedAt: z.null(),
    recoveryCodesRemaining: z.null().default(null),
  }),
  z.object({
    status: z.literal('active'),
    activatedAt: instant,
    recoveryCodesRemaining: z.number().int().min(0).max(RECOVERY_CODE_COUNT).default(0),
  }),
]);
export type MfaStatusView = z.infer<typeof mfaStatusView>;
export type MfaStatus = MfaStatusView['status'];

export const enrollmentView = z.object({
  secret: z.string().regex(/^[A-Z2-7]+=*$/),
  otpauthUri: z.string().startsWith('otpauth://totp/'),
  qrCode: z.string().startsWith('data:image/png;base64,'),
  expiresAt: instant,
});
export type EnrollmentView = z.infer<typeof enrollmentView>;

/** The answer to an activation: the status, and the first recovery codes, shown this once. */
export const activationView = z.object({
  status: z.literal('active'),
  activatedAt: instant,
  recoveryCodesRemaining: z.number().int().min(0).max(RECOVERY_CODE_COUNT),
  recoveryCodes: recoveryCodeList,
});

/** A regenerated set, shown this once; it replaces every code of the previous set. */
export const recoveryCodesView = z.object({ recoveryCodes: recoveryCodeList, generatedAt: instant });

/**
 * Events per `mfa.get-history` answer, at most: a user who logged in for years
 * has thousands, and an answer must stay well under Kafka's 1 MB message limit
 * (an event is under 1 KB even with the longest user agent).
 */
export const MFA_HISTORY_PAGE_SIZE = 500;

/**
 * How long the gateway's `mfaToken` (the password step's ticket to the code
 * step) is valid. The mfa service remembers the id of a token used for a
 * successful verification at least this long, so that a token is good for
 * one successful code only.
 */
export const MFA_TOKEN_TTL_SECONDS = 300;

export const mfaHistoryView = z.object({
  events: z
    .array(
      z.object({
        type: z.string(),
        revision: z.number().int().min(0),
        occurredAt: instant,
        data: z.record(z.string(), z.unknown()),
      }),
    )
    .max(MFA_HISTORY_PAGE_SIZE)
    .readonly(),
  /** Where the next page starts (pass it as `fromRevision`); null once the end of the stream is reached. */
  nextRevision: z.number().int().min(0).nullable(),
});
export type MfaHistoryView = z.infer<typeof mfaHistoryView>;

export const MfaRpc = {
  checkHealth: rpc('mfa.check-health', { request: empty, response: healthReport }),
  getStatus: rpc('mfa.get-status', { request: z.object({ userId: id }), response: mfaStatusView }),
  startEnrollment: rpc('mfa.start-enrollment', {
    request: z.object({ userId: id, label: email }),
    response: enrollmentView,
    sealed: { response: ['secret', 'otpauthUri', 'qrCode'] },
  }),
  /** Also generates the first set of recovery codes, answered (sealed) this once. */
  activate: rpc('mfa.activate', {
    request: z.object({ userId: id, code1: totpCode, code2: totpCode }),
    response: activationView,
    sealed: { request: ['code1', 'code2'], response: ['recoveryCodes'] },
  }),
  /**
   * A replayed code answers exactly like a wrong one (`invalid_code`); the event records the real reason.
   * `challengeId` is the `mfaToken`'s id (`jti`): after one successful verification the same id is
   * refused with `invalid_mfa_token`, whatever the code; a wrong code does not use it up.
   */
  verifyChallenge: rpc('mfa.verify-challenge', {
    request: z.object({ userId: id, code: totpCode, context: loginContext, challengeId: z.uuid() }),
    response: z.object({ verified: z.literal(true) }),
    sealed: { request: ['code'] },
  }),
  /**
   * The login's second factor with a recovery code instead of a TOTP code: the
   * same `challengeId` rule and the same lock-out. A wrong code and a used one
   * both answer `invalid_code` (the event records which); a right one is used up.
   */
  verifyRecoveryCode: rpc('mfa.verify-recovery-code', {
    request: z.object({ userId: id, recoveryCode, context: loginContext, challengeId: z.uuid() }),
    response: z.object({
      verified: z.literal(true),
      recoveryCodesRemaining: z.number().int().min(0).max(RECOVERY_CODE_COUNT),
    }),
    sealed: { request: ['recoveryCode'] },
  }),
  /** A current TOTP code (checked like any: replay, lock-out) replaces the set with a new one. */
  regenerateRecoveryCodes: rpc('mfa.regenerate-recovery-codes', {
    request: z.object({ userId: id, code: totpCode, context: loginContext }),
    response: recoveryCodesView,
    sealed: { request: ['code'], response: ['recoveryCodes'] },
  }),
  /**
   * With a current `code`, or a `recoveryCode` instead (the phone is lost; it
   * is used up, and needs the `context` it is recorded with): exactly one.
   */
  deactivate: rpc('mfa.deactivate', {
    request: z
      .object({
        userId: id,
        code: totpCode.optional(),
        recoveryCode: recoveryCode.optional(),
        confirm: z.boolean(),
        context: loginContext.optional(),
      })
      .refine((request) => (request.code === undefined) !== (request.recoveryCode === undefined), {
        message: 'exactly one of code and recoveryCode',
      })
      .refine((request) => request.recoveryCode === undefined || request.context !== undefined, {
        message: 'a recovery code comes with its context',
        path: ['context'],
      }),
    response: mfaStatusView,
    sealed: { request: ['code', 'recoveryCode'] },
  }),
  reset: rpc('mfa.reset', {
    request: z.object({ userId: id, adminId: id, reason: z.string().trim().min(1).max(500) }),
    response: mfaStatusView,
  }),
  /** Oldest first, one page of at most `maxCount` (default and cap MFA_HISTORY_PAGE_SIZE) events from `fromRevision` (default 0). */
  getHistory: rpc('mfa.get-history', {
    request: z.object({
      userId: id,
      fromRevision: z.number().int().min(0).optional(),
      maxCount: z.number().int().min(1).max(MFA_HISTORY_PAGE_SIZE).optional(),
    }),
    response: mfaHistoryView,
  }),
} as const;
