import { codeChecks, mfaLockouts } from '#observability';
import type { MfaEnrollmentEvent } from './mfa-enrollment.events.js';

/**
 * What an operator watches of the codes, read off the events a command
 * appended (the events are the truth; this only counts them):
 * `totp_mfa_code_checks_total{purpose,outcome,reason}` for each accepted and
 * each refused check, `totp_mfa_mfa_lockouts_total{kind}` for each failure
 * that set a lock (a refusal while locked sets none).
 */
export function countCodeChecks(events: readonly MfaEnrollmentEvent[]): void {
  for (const event of events) {
    switch (event.type) {
      case 'MfaChallengeVerified':
        codeChecks.inc({ purpose: 'login', outcome: 'accepted', reason: 'none' });
        break;
      case 'RecoveryCodeUsed':
        codeChecks.inc({ purpose: 'login_recovery_code', outcome: 'accepted', reason: 'none' });
        break;
      case 'MfaActivated':
        codeChecks.inc({ purpose: 'activation', outcome: 'accepted', reason: 'none' });
        break;
      case 'MfaChallengeFailed': {
        const { purpose, reason, lockedUntil, requiresAdminReset } = event.data;
        codeChecks.inc({ purpose, outcome: 'refused', reason });
        if (reason !== 'locked' && (lockedUntil !== null || requiresAdminReset)) {
          mfaLockouts.inc({ kind: requiresAdminReset ? 'admin_reset' : 'timed' });
        }
        break;
      }
      default:
        break;
    }
  }
}
