import type { IntegrationEvent } from '#contracts';
import type { SessionRevocationReason } from '../sessions/session.events.js';

/** A change of a user's credentials: their sessions signed in before it end, except the one it was made in. */
export interface CredentialChange {
  readonly userId: string;
  readonly at: Date;
  /** The session the change was made in (the event's `actingSessionId`): it stays. */
  readonly exceptSessionId: string | null;
  readonly reason: SessionRevocationReason;
}

/**
 * The events of `auth.identity.events` and `auth.mfa.events` that change what
 * a session proved: a new password (the user's own, or one an admin set), new
 * roles (the access tokens' claims), and MFA switched on, off, or reset by an
 * admin. Null for every other event.
 */
export function credentialChangeOf(event: IntegrationEvent): CredentialChange | null {
  const change = changeOf(event);
  if (!change || !event.userId) return null;
  // When it happened by its service's clock (the event's own instant), else when it was published.
  const instant = event.data[change.instantField];
  const at = Date.parse(typeof instant === 'string' ? instant : event.occurredAt);
  if (Number.isNaN(at)) return null;
  return {
    userId: event.userId,
    at: new Date(at),
    exceptSessionId: event.actingSessionId ?? null,
    reason: change.reason,
  };
}

function changeOf({ type, data }: IntegrationEvent): { reason: SessionRevocationReason; instantField: string } | null {
  switch (type) {
    case 'UserPasswordChanged':
      return { reason: 'password_changed', instantField: 'changedAt' };
    case 'UserPasswordSetByAdmin':
      return { reason: 'password_set_by_admin', instantField: 'setAt' };
    case 'UserRolesChanged':
      return { reason: 'roles_changed', instantField: 'changedAt' };
    case 'MfaActivated':
      return { reason: 'mfa_activated', instantField: 'activatedAt' };
    case 'MfaDeactivated': {
      const by = data['by'] as { kind?: unknown } | undefined;
      return { reason: by?.kind === 'admin' ? 'mfa_reset' : 'mfa_deactivated', instantField: 'deactivatedAt' };
    }
    default:
      return null;
  }
}
