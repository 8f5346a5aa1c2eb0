import { Logger } from '@nestjs/common';
import { DomainError } from '#contracts';
import { logins } from '#observability';

export type LoginStep = 'password' | 'mfa' | 'recovery_code';

const logger = new Logger('Login');

/**
 * Counts each login step by its outcome (`totp_mfa_logins_total{step,outcome}`:
 * the answer's status, or the error code) and leaves one warning an operator
 * can alert on for each refusal: `event: "login_refused_by_allowlist"` for an
 * address the allow-list refuses, `event: "login_failed"` with the reason code
 * for any other. The client address and the code, never an email, a
 * password, a code or a token.
 */
export async function recordLoginStep<Outcome extends { readonly status: string }>(
  step: LoginStep,
  ip: string,
  work: () => Promise<Outcome>,
): Promise<Outcome> {
  try {
    const outcome = await work();
    logins.inc({ step, outcome: outcome.status });
    return outcome;
  } catch (error) {
    const reason = error instanceof DomainError ? error.code : 'internal_error';
    logins.inc({ step, outcome: reason });
    if (reason === 'ip_not_allowed') {
      logger.warn({
        msg: 'login refused: the address is not on the allow-list',
        event: 'login_refused_by_allowlist',
        step,
        ip,
      });
    } else {
      logger.warn({ msg: `login failed: ${reason}`, event: 'login_failed', step, reason, ip });
    }
    throw error;
  }
}
