import { z } from 'zod';
import type { IntegrationEvent } from '#contracts';

/** Where a code was typed, as the mfa service publishes it (either may be missing). */
export type Origin = { readonly ip: string | null; readonly userAgent: string | null };

/**
 * What happened to an account that its owner is told about by mail: one per
 * integration event that calls for it. Only what a message may show: ids,
 * instants, counts, an admin's reason, where a code was typed; never a code,
 * secret or token (the events carry none, and nothing else is read from them).
 */
export type AccountNotice =
  | { readonly kind: 'mfa_activated' }
  | { readonly kind: 'mfa_deactivated' }
  | { readonly kind: 'mfa_reset'; readonly adminId: string; readonly reason: string }
  | { readonly kind: 'recovery_codes_generated'; readonly count: number }
  | { readonly kind: 'recovery_code_used'; readonly remaining: number; readonly origin: Origin | null }
  | {
      readonly kind: 'codes_locked';
      readonly lockedUntil: string | null;
      readonly requiresAdminReset: boolean;
      readonly origin: Origin | null;
    }
  | {
      readonly kind: 'code_replayed';
      /** A sign-in code of a step already used, or a recovery code already used. */
      readonly code: 'totp' | 'recovery';
      readonly locked: boolean;
      readonly origin: Origin | null;
    }
  | { readonly kind: 'password_changed' }
  | { readonly kind: 'password_set_by_admin'; readonly adminId: string }
  | { readonly kind: 'account_locked' };

export type NoticeKind = AccountNotice['kind'];

/** A notice for one user, from one event (its id names the notification and its Message-ID). */
export type Addressed<Notice extends AccountNotice = AccountNotice> = {
  readonly eventId: string;
  readonly userId: string;
  /** When it happened, by the publishing service's clock. */
  readonly occurredAt: string;
  readonly notice: Notice;
};

export type NoticeOf =
  | { readonly outcome: 'notice'; readonly addressed: Addressed }
  | { readonly outcome: 'ignored' }
  /** A type this service mails about, whose data is not what the contract says: parked, not guessed at. */
  | { readonly outcome: 'malformed'; readonly problems: string };

const origin = z
  .object({ ip: z.string().max(100).nullable().optional(), userAgent: z.string().max(1000).nullable().optional() })
  .nullable()
  .optional()
  .transform((value): Origin | null => (value ? { ip: value.ip ?? null, userAgent: value.userAgent ?? null } : null));

/** Per event type mailed about: the fields read, checked (a consumer trusts no bytes), turned into the notice. */
const NOTICES: Record<string, (data: unknown) => z.ZodSafeParseResult<AccountNotice | null>> = {
  MfaActivated: (data) =>
    z
      .object({})
      .transform((): AccountNotice => ({ kind: 'mfa_activated' }))
      .safeParse(data),
  MfaDeactivated: (data) =>
    z
      .object({
        by: z.discriminatedUnion('kind', [
          z.object({ kind: z.literal('user') }),
          z.object({ kind: z.literal('admin'), adminId: z.string().min(1).max(100), reason: z.string().max(1000) }),
        ]),
      })
      .transform(({ by }): AccountNotice =>
        by.kind === 'admin'
          ? { kind: 'mfa_reset', adminId: by.adminId, reason: by.reason }
          : { kind: 'mfa_deactivated' },
      )
      .safeParse(data),
  MfaChallengeFailed: (data) =>
    z
      .object({
        reason: z.string().max(100),
        lockedUntil: z.string().max(100).nullable(),
        requiresAdminReset: z.boolean(),
        context: origin,
      })
      .transform(({ reason, lockedUntil, requiresAdminReset, context }): AccountNotice | null => {
        const locked = lockedUntil !== null || requiresAdminReset;
        // An attempt while locked ('locked') neither counts nor extends the lock: the lock's own mail said it.
        // A used code offered again: someone else may have seen it (the mfa service's reasons for it).
        if (reason === 'replayed') return { kind: 'code_replayed', code: 'totp', locked, origin: context };
        if (reason === 'recovery_code_used')
          return { kind: 'code_replayed', code: 'recovery', locked, origin: context };
        if (reason === 'locked' || !locked) return null;
        return { kind: 'codes_locked', lockedUntil, requiresAdminReset, origin: context };
      })
      .safeParse(data),
  RecoveryCodesGenerated: (data) =>
    z
      .object({ count: z.number().int().nonnegative(), reason: z.enum(['activation', 'regenerated']) })
      // At activation the set comes with MfaActivated, whose mail speaks of it: one mail, not two.
      .transform(({ count, reason }): AccountNotice | null =>
        reason === 'regenerated' ? { kind: 'recovery_codes_generated', count } : null,
      )
      .safeParse(data),
  RecoveryCodeUsed: (data) =>
    z
      .object({ remaining: z.number().int().nonnegative(), context: origin })
      .transform(({ remaining, context }): AccountNotice => ({
        kind: 'recovery_code_used',
        remaining,
        origin: context,
      }))
      .safeParse(data),
  UserPasswordChanged: (data) =>
    z
      .object({})
      .transform((): AccountNotice => ({ kind: 'password_changed' }))
      .safeParse(data),
  UserPasswordSetByAdmin: (data) =>
    z
      .object({ setBy: z.string().min(1).max(100) })
      .transform(({ setBy }): AccountNotice => ({ kind: 'password_set_by_admin', adminId: setBy }))
      .safeParse(data),
  UserLocked: (data) =>
    z
      .object({})
      .transform((): AccountNotice => ({ kind: 'account_locked' }))
      .safeParse(data),
};

/** The notice an integration event calls for; unknown types and events that call for none are ignored. */
export function noticeOf(event: IntegrationEvent): NoticeOf {
  const read = Object.hasOwn(NOTICES, event.type) ? NOTICES[event.type] : undefined;
  if (!read) return { outcome: 'ignored' };
  const parsed = read(event.data);
  if (!parsed.success || !event.userId) {
    // Paths only: what arrived may hold anything.
    const problems = parsed.success
      ? 'userId'
      : parsed.error.issues.map((issue) => issue.path.join('.') || 'data').join(', ');
    return { outcome: 'malformed', problems };
  }
  if (parsed.data === null) return { outcome: 'ignored' };
  return {
    outcome: 'notice',
    addressed: { eventId: event.eventId, userId: event.userId, occurredAt: event.occurredAt, notice: parsed.data },
  };
}

/** The admin a notice names, whose address (if known) the mail shows. */
export function adminOf(notice: AccountNotice): string | null {
  return notice.kind === 'mfa_reset' || notice.kind === 'password_set_by_admin' ? notice.adminId : null;
}
