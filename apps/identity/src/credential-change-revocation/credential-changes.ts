import type { z } from 'zod';
import {
  mfaActivatedV1,
  mfaDeactivatedV1,
  userPasswordChangedV1,
  userPasswordSetByAdminV1,
  userRolesChangedV1,
  type IntegrationEvent,
} from '#contracts';
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
 *
 * The fields it needs are read with their contracts' schemas (libs/contracts,
 * integration-events/). It fails safe: a credential change whose data is not
 * as its contract says still revokes, at when it was published (and an MFA
 * switch-off whose `by` cannot be read counts as the user's own).
 */
export function credentialChangeOf(event: IntegrationEvent): CredentialChange | null {
  if (!Object.hasOwn(CHANGES, event.type) || !event.userId) return null;
  const change = CHANGES[event.type as keyof typeof CHANGES];
  // When it happened by its service's clock (the event's own instant), else when it was published.
  const instant = change.instant.safeParse(event.data[change.instantField]);
  const at = Date.parse(instant.success ? instant.data : event.occurredAt);
  if (Number.isNaN(at)) return null;
  return {
    userId: event.userId,
    at: new Date(at),
    exceptSessionId: event.actingSessionId ?? null,
    reason: typeof change.reason === 'function' ? change.reason(event.data) : change.reason,
  };
}

interface ChangeReading {
  readonly reason: SessionRevocationReason | ((data: IntegrationEvent['data']) => SessionRevocationReason);
  readonly instantField: string;
  readonly instant: z.ZodType<string>;
}

const deactivatedBy = mfaDeactivatedV1.payload.shape.by;

const CHANGES = {
  UserPasswordChanged: {
    reason: 'password_changed',
    instantField: 'changedAt',
    instant: userPasswordChangedV1.payload.shape.changedAt,
  },
  UserPasswordSetByAdmin: {
    reason: 'password_set_by_admin',
    instantField: 'setAt',
    instant: userPasswordSetByAdminV1.payload.shape.setAt,
  },
  UserRolesChanged: {
    reason: 'roles_changed',
    instantField: 'changedAt',
    instant: userRolesChangedV1.payload.shape.changedAt,
  },
  MfaActivated: {
    reason: 'mfa_activated',
    instantField: 'activatedAt',
    instant: mfaActivatedV1.payload.shape.activatedAt,
  },
  MfaDeactivated: {
    reason: (data) => (deactivatedBy.safeParse(data['by']).data?.kind === 'admin' ? 'mfa_reset' : 'mfa_deactivated'),
    instantField: 'deactivatedAt',
    instant: mfaDeactivatedV1.payload.shape.deactivatedAt,
  },
} as const satisfies Record<string, ChangeReading>;
