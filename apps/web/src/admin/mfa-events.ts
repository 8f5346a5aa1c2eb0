import type { MfaEvent } from '../api';

interface Context {
  ip?: string;
  userAgent?: string;
}

const whereOf = (context: unknown): string | null => {
  const { ip, userAgent } = (context ?? {}) as Context;
  return ip ? `from ${ip}${userAgent ? ` (${userAgent})` : ''}` : null;
};

/** One event of the MFA audit stream in words: what happened, who did it, from where. */
export function describeEvent(
  { type, data }: MfaEvent,
  admins: Readonly<Record<string, string>> = {},
): { what: string; who: string | null; where: string | null } {
  switch (type) {
    case 'MfaEnrollmentStarted':
      return {
        what: `Set-up started (${String(data['issuer'])}: ${String(data['label'])})`,
        who: 'by the user',
        where: null,
      };
    case 'MfaActivated':
      return { what: 'Activated with two consecutive codes', who: 'by the user', where: null };
    case 'MfaChallengeVerified':
      return { what: 'Signed in with a code', who: 'the user', where: whereOf(data['context']) };
    case 'MfaChallengeFailed': {
      const locked = data['requiresAdminReset']
        ? '; codes locked until an admin reset'
        : data['lockedUntil']
          ? `; codes locked until ${new Date(String(data['lockedUntil'])).toLocaleString()}`
          : '';
      return { what: `Code refused (${String(data['reason'])})${locked}`, who: null, where: whereOf(data['context']) };
    }
    case 'MfaDeactivated': {
      const by = (data['by'] ?? {}) as { kind?: string; adminId?: string; reason?: string; context?: unknown };
      return by.kind === 'admin'
        ? {
            what: `Reset by an administrator: “${by.reason ?? ''}”`,
            who: `by ${admins[by.adminId ?? ''] ?? `the administrator ${by.adminId ?? ''}`}`,
            where: null,
          }
        : { what: 'Deactivated by the user', who: 'the user', where: whereOf(by.context) };
    }
    case 'RecoveryCodesGenerated':
      return { what: `${String(data['count'])} recovery codes made`, who: null, where: null };
    case 'RecoveryCodeUsed':
      return {
        what: `Signed in with a recovery code (${String(data['remaining'])} left)`,
        who: 'the user',
        where: whereOf(data['context']),
      };
    case 'MfaSecretResealed':
      return { what: 'Secret re-encrypted under the current key (key rotation)', who: 'an operator', where: null };
    default:
      return { what: type, who: null, where: null };
  }
}
