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
  /** Where the next page starts (pass it as `fromRevision`); null once the end of the stream is reached. */
  readonly nextRevision: number | null;
}

/**
 * Events per `mfa.get-history` answer, at most: a user who logged in for years
 * has thousands, and an answer must stay well under Kafka's 1 MB message limit
 * (an event is under 1 KB even with the longest user agent).
 */
export const MFA_HISTORY_PAGE_SIZE = 500;

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
  /** Oldest first, one page of at most `maxCount` (default and cap MFA_HISTORY_PAGE_SIZE) events from `fromRevision` (default 0). */
  getHistory: rpc<MfaHistoryView>()(
    'mfa.get-history',
    z.object({
      userId: id,
      fromRevision: z.number().int().min(0).optional(),
      maxCount: z.number().int().min(1).max(MFA_HISTORY_PAGE_SIZE).optional(),
    }),
  ),
} as const;
