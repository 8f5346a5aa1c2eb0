import { z } from 'zod';
import { password, totpCode } from '#contracts';

export const ActivationBody = z.object({ code1: totpCode, code2: totpCode });
export type ActivationBody = z.infer<typeof ActivationBody>;

/** A missing `confirm` is no confirmation: answered `confirmation_required` like `false`. */
export const DeactivationBody = z.object({ code: totpCode, confirm: z.boolean().optional() });
export type DeactivationBody = z.infer<typeof DeactivationBody>;

/** The policy (length, not the email address) is identity's, answered as `weak_password`. */
export const PasswordChangeBody = z.object({ currentPassword: password, newPassword: password });
export type PasswordChangeBody = z.infer<typeof PasswordChangeBody>;
