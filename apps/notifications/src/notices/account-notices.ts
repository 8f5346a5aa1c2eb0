import {
  readIntegrationEvent,
  type IntegrationEvent,
  type KnownIntegrationEvent,
  type KnownIntegrationEventOf,
} from '#contracts';

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
  /** A type this service mails about, not as its contract says (or a version it does not know): parked, not guessed at. */
  | { readonly outcome: 'malformed'; readonly problems: string };

/** Where an attempt came from, as its contract says it is published. */
type PublishedContext = { readonly ip: string; readonly userAgent: string } | null;

const originOf = (context: PublishedContext): Origin | null =>
  context ? { ip: context.ip, userAgent: context.userAgent } : null;

/**
 * Per event type mailed about, from its data as its contract says (checked by
 * `readIntegrationEvent`): the notice, or null when the event calls for none.
 * Only the fields named here get into a notice.
 */
const NOTICES: {
  readonly [Type in MailedType]: (event: KnownIntegrationEventOf<Type>) => AccountNotice | null;
} = {
  MfaActivated: () => ({ kind: 'mfa_activated' }),
  MfaDeactivated: ({ data: { by } }) =>
    by.kind === 'admin' ? { kind: 'mfa_reset', adminId: by.adminId, reason: by.reason } : { kind: 'mfa_deactivated' },
  MfaChallengeFailed: ({ data: { reason, lockedUntil, requiresAdminReset, context } }) => {
    const locked = lockedUntil !== null || requiresAdminReset;
    const origin = originOf(context);
    // An attempt while locked ('locked') neither counts nor extends the lock: the lock's own mail said it.
    // A used code offered again: someone else may have seen it (the mfa service's reasons for it).
    if (reason === 'replayed') return { kind: 'code_replayed', code: 'totp', locked, origin };
    if (reason === 'recovery_code_used') return { kind: 'code_replayed', code: 'recovery', locked, origin };
    if (reason === 'locked' || !locked) return null;
    return { kind: 'codes_locked', lockedUntil, requiresAdminReset, origin };
  },
  // At activation the set comes with MfaActivated, whose mail speaks of it: one mail, not two.
  RecoveryCodesGenerated: ({ data: { count, reason } }) =>
    reason === 'regenerated' ? { kind: 'recovery_codes_generated', count } : null,
  RecoveryCodeUsed: ({ data: { remaining, context } }) => ({
    kind: 'recovery_code_used',
    remaining,
    origin: originOf(context),
  }),
  UserPasswordChanged: () => ({ kind: 'password_changed' }),
  UserPasswordSetByAdmin: ({ data: { setBy } }) => ({ kind: 'password_set_by_admin', adminId: setBy }),
  UserLocked: () => ({ kind: 'account_locked' }),
};

type MailedType =
  | 'MfaActivated'
  | 'MfaDeactivated'
  | 'MfaChallengeFailed'
  | 'RecoveryCodesGenerated'
  | 'RecoveryCodeUsed'
  | 'UserPasswordChanged'
  | 'UserPasswordSetByAdmin'
  | 'UserLocked';

const isMailed = (type: string): type is MailedType => Object.hasOwn(NOTICES, type);

/**
 * The notice an integration event calls for; unknown types and events that
 * call for none are ignored. An event of a mailed type is read against its
 * contract (`libs/contracts`): one that breaks it, or of a version this
 * service does not know, is malformed (parked, not guessed at).
 */
export function noticeOf(event: IntegrationEvent): NoticeOf {
  if (!isMailed(event.type)) return { outcome: 'ignored' };
  const read = readIntegrationEvent(event);
  if (read.outcome === 'unknown') return { outcome: 'malformed', problems: `schemaVersion ${event.schemaVersion}` };
  if (read.outcome === 'invalid') return { outcome: 'malformed', problems: read.problems };
  const known = read.event;
  if (!isMailed(known.type) || !known.userId) return { outcome: 'malformed', problems: 'userId' };
  const notice = (NOTICES[known.type] as (event: KnownIntegrationEvent) => AccountNotice | null)(known);
  if (notice === null) return { outcome: 'ignored' };
  return {
    outcome: 'notice',
    addressed: { eventId: known.eventId, userId: known.userId, occurredAt: known.occurredAt, notice },
  };
}

/** The admin a notice names, whose address (if known) the mail shows. */
export function adminOf(notice: AccountNotice): string | null {
  return notice.kind === 'mfa_reset' || notice.kind === 'password_set_by_admin' ? notice.adminId : null;
}
