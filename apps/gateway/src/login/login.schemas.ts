import { z } from 'zod';
import { recoveryCode, totpCode } from '#contracts';

export const LoginBody = z.object({ email: z.string().trim().min(1).max(254), password: z.string().min(1).max(1024) });
export type LoginBody = z.infer<typeof LoginBody>;

/**
 * The code step: the `mfaToken` of the password step and exactly one of a
 * current `code` and a `recoveryCode` (case, spaces and dashes do not matter).
 */
export const MfaLoginBody = z
  .object({ mfaToken: z.string().min(1).max(4096), code: totpCode.optional(), recoveryCode: recoveryCode.optional() })
  .refine((body) => (body.code === undefined) !== (body.recoveryCode === undefined), {
    message: 'send exactly one of code and recoveryCode',
  });
export type MfaLoginBody = z.infer<typeof MfaLoginBody>;
