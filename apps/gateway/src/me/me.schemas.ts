import { z } from 'zod';
import { password, recoveryCode, totpCode } from '#contracts';

export const ActivationBody = z.object({ code1: totpCode, code2: totpCode });
export type ActivationBody = z.infer<typeof ActivationBody>;

/** A current code asks for a new set of recovery codes. */
export const RecoveryCodesBody = z.object({ code: totpCode });
export type RecoveryCodesBody = z.infer<typeof RecoveryCodesBody>;

/**
 * A current `code`, or a `recoveryCode` instead (the phone is lost: the way to
 * enrol a new one), exactly one. A missing `confirm` is no confirmation:
 * answered `confirmation_required` like `false`.
 */
export const DeactivationBody = z
  .object({ code: totpCode.optional(), recoveryCode: recoveryCode.optional(), confirm: z.boolean().optional() })
  .refine((body) => (body.code === undefined) !== (body.recoveryCode === undefined), {
    message: 'send exactly one of code and recoveryCode',
  });
export type DeactivationBody = z.infer<typeof DeactivationBody>;

/**
 * The policy (length, not the email address, not a common password) is
 * identity's, answered as `weak_password` or `password_too_common`. `code`:
 * required when MFA is active (else `invalid_code`), ignored otherwise.
 */
export const PasswordChangeBody = z.object({
  currentPassword: password,
  newPassword: password,
  code: totpCode.optional(),
});
export type PasswordChangeBody = z.infer<typeof PasswordChangeBody>;
