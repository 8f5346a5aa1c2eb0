import { z } from 'zod';
import { id, refreshToken } from '#contracts';

export const RefreshBody = z.object({ refreshToken });
export type RefreshBody = z.infer<typeof RefreshBody>;

export const SessionIdParam = id;
