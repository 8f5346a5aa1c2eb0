/**
 * What of an MFA event may leave the service: the admin's audit history
 * (`mfa.get-history`) and the integration events on `auth.mfa.events` both
 * show exactly this. An allow-list per event type, not a deny-list: a field
 * added to an event later stays private until it is written here. The sealed
 * secret never leaves, not even as ciphertext; its key id does (it names the
 * key for rotation audits and reveals nothing).
 */
import { assertNever } from '../mfa-enrollment/assert-never.js';
import type {
  ChallengeContext,
  MfaEnrollmentEvent,
  MfaEnrollmentEventType,
} from '../mfa-enrollment/mfa-enrollment.events.js';
import { decodeMfaEvent, type StoredEventData } from '../mfa-enrollment/mfa-enrollment.upcast.js';

export interface PublicMfaEvent {
  readonly type: MfaEnrollmentEventType;
  readonly schemaVersion: number;
  /** When it happened, by the service's clock (the instant the decider was given). */
  readonly occurredAt: string;
  readonly data: Record<string, unknown>;
}

/** A stored MFA event (any schema version) in its public form. */
export function publicEventOf(stored: { readonly type: string; readonly data: StoredEventData }): PublicMfaEvent {
  const event = decodeMfaEvent(stored);
  const { occurredAt, data } = publicPartsOf(event);
  return { type: event.type, schemaVersion: event.data.schemaVersion, occurredAt, data };
}

function publicPartsOf(event: MfaEnrollmentEvent): { occurredAt: string; data: Record<string, unknown> } {
  switch (event.type) {
    case 'MfaEnrollmentStarted': {
      const { schemaVersion, enrollmentId, secret, algorithm, digits, period, issuer, label, startedAt, expiresAt } =
        event.data;
      return {
        occurredAt: startedAt,
        data: {
          schemaVersion,
          enrollmentId,
          keyId: secret.keyId,
          algorithm,
          digits,
          period,
          issuer,
          label,
          startedAt,
          expiresAt,
        },
      };
    }
    case 'MfaActivated': {
      const { schemaVersion, enrollmentId, activatedAt, steps } = event.data;
      return { occurredAt: activatedAt, data: { schemaVersion, enrollmentId, activatedAt, steps: [...steps] } };
    }
    case 'MfaChallengeVerified': {
      const { schemaVersion, step, verifiedAt, context } = event.data;
      return { occurredAt: verifiedAt, data: { schemaVersion, step, verifiedAt, context: publicContext(context) } };
    }
    case 'MfaChallengeFailed': {
      const { schemaVersion, purpose, reason, failedAt, consecutiveFailures, lockedUntil, context } = event.data;
      return {
        occurredAt: failedAt,
        data: {
          schemaVersion,
          purpose,
          reason,
          failedAt,
          consecutiveFailures,
          lockedUntil,
          context: context ? publicContext(context) : null,
        },
      };
    }
    case 'MfaDeactivated': {
      const { schemaVersion, deactivatedAt, by } = event.data;
      return { occurredAt: deactivatedAt, data: { schemaVersion, deactivatedAt, by: publicDeactivator(by) } };
    }
    default:
      return assertNever(event);
  }
}

function publicDeactivator(
  by: Extract<MfaEnrollmentEvent, { type: 'MfaDeactivated' }>['data']['by'],
): Record<string, unknown> {
  switch (by.kind) {
    case 'user':
      return { kind: 'user', step: by.step, context: by.context ? publicContext(by.context) : null };
    case 'admin':
      return { kind: 'admin', adminId: by.adminId, reason: by.reason };
    default:
      return assertNever(by);
  }
}

const publicContext = ({ ip, userAgent }: ChallengeContext): ChallengeContext => ({ ip, userAgent });
