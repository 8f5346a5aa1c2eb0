import { z } from 'zod';
import { totpCode } from '#contracts';

export const LoginBody = z.object({ email: z.string().trim().min(1).max(254), password: z.string().min(1).max(1024) });
export type LoginBody = z.infer<typeof LoginBody>;

export const MfaLoginBody = z.object({ mfaToken: z.string().min(1).max(4096), code: totpCode });
export type MfaLoginBody = z.infer<typeof MfaLoginBody>;
