import { z } from 'zod';
import { password, totpCode } from '#contracts';

export const ActivationBody = z.object({ code1: totpCode, code2: totpCode });
export type ActivationBody = z.infer<typeof ActivationBody>;

/** A missing `confirm` is no confirmation: answered `confirmation_required` like `false`. */
export const DeactivationBody = z.object({ code: totpCode, confirm: z.boolean().optional() });
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
