import { z } from 'zod';
import { rpc, type HealthReport } from './rpc.js';
import { email, empty, id, loginContext, totpCode } from './schemas.js';

export type MfaStatus = 'inactive' | 'pending' | 'active';

export interface MfaStatusView {
  readonly status: MfaStatus;
  readonly activatedAt: string | null;
}

export interface EnrollmentView {
  readonly secret: string;
  readonly otpauthUri: string;
  readonly qrCode: string;
  readonly expiresAt: string;
}

export interface MfaHistoryView {
  readonly events: ReadonlyArray<{ type: string; revision: number; occurredAt: string; data: Record<string, unknown> }>;
}

export const MfaRpc = {
  checkHealth: rpc<HealthReport>()('mfa.check-health', empty),
  getStatus: rpc<MfaStatusView>()('mfa.get-status', z.object({ userId: id })),
  startEnrollment: rpc<EnrollmentView>()('mfa.start-enrollment', z.object({ userId: id, label: email })),
  activate: rpc<MfaStatusView>()('mfa.activate', z.object({ userId: id, code1: totpCode, code2: totpCode })),
  /** A replayed code answers exactly like a wrong one (`invalid_code`); the event records the real reason. */
  verifyChallenge: rpc<{ readonly verified: true }>()(
    'mfa.verify-challenge',
    z.object({ userId: id, code: totpCode, context: loginContext }),
  ),
  deactivate: rpc<MfaStatusView>()(
    'mfa.deactivate',
    z.object({ userId: id, code: totpCode, confirm: z.boolean(), context: loginContext.optional() }),
  ),
  reset: rpc<MfaStatusView>()(
    'mfa.reset',
    z.object({ userId: id, adminId: id, reason: z.string().trim().min(1).max(500) }),
  ),
  getHistory: rpc<MfaHistoryView>()('mfa.get-history', z.object({ userId: id })),
} as const;
