import { z } from 'zod';
import { healthReport, rpc } from './rpc.js';
import { email, empty, id, loginContext, totpCode } from './schemas.js';

const instant = z.iso.datetime();

export const mfaStatusView = z.discriminatedUnion('status', [
  z.object({ status: z.enum(['inactive', 'pending']), activatedAt: z.null() }),
  z.object({ status: z.literal('active'), activatedAt: instant }),
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
  activate: rpc('mfa.activate', {
    request: z.object({ userId: id, code1: totpCode, code2: totpCode }),
    response: mfaStatusView,
    sealed: { request: ['code1', 'code2'] },
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
  deactivate: rpc('mfa.deactivate', {
    request: z.object({ userId: id, code: totpCode, confirm: z.boolean(), context: loginContext.optional() }),
    response: mfaStatusView,
    sealed: { request: ['code'] },
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
