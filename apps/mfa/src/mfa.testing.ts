/**
 * Fixtures for the mfa service's specs: the real `MfaModule` under
 * `startServiceUnderTest` (a fresh MFA_ENCRYPTION_KEY, the clock at T0), and
 * what a user's authenticator app would show.
 */
import { MfaRpc } from '#contracts';
import { startServiceUnderTest, type ServiceUnderTest, type StartServiceUnderTestOptions } from '#testing';
import { MfaModule } from './mfa.module.js';
import { generateEncryptionKey } from './totp/secret-cipher.js';
import { codeForStep, DEFAULT_TOTP_PARAMETERS, timeStep } from './totp/totp.js';

/** A fixed instant 5 s into a 30-second step, so codes of the step before and after are both in reach. */
export const T0 = new Date('2025-06-02T10:00:05Z');

export const CONTEXT = { ip: '198.51.100.4', userAgent: 'spec-agent/1.0' } as const;

/** `env` goes on top of a fresh MFA_ENCRYPTION_KEY; `MFA_ENCRYPTION_KEY: ''` leaves it unset (the development key file). */
export function startMfaService(options: StartServiceUnderTestOptions = {}): Promise<ServiceUnderTest<'mfa'>> {
  const env: Record<string, string> = { MFA_ENCRYPTION_KEY: generateEncryptionKey(), ...options.env };
  if (env['MFA_ENCRYPTION_KEY'] === '') delete env['MFA_ENCRYPTION_KEY'];
  return startServiceUnderTest(MfaModule, { ...options, env, now: options.now ?? T0 });
}

/** The TOTP step (30 s) of the service's clock: the step whose code the app shows now. */
export const currentStep = (service: ServiceUnderTest<'mfa'>): number =>
  timeStep(service.clock.now(), DEFAULT_TOTP_PARAMETERS.period);

/** What the user's authenticator app shows for `step` (30 s, 6 digits, SHA-1). */
export const appCode = (secret: string, step: number): string =>
  codeForStep({ secret, step, algorithm: DEFAULT_TOTP_PARAMETERS.algorithm, digits: DEFAULT_TOTP_PARAMETERS.digits });

/** A 6-digit code that is not the code of any step in `steps` (so certainly wrong there). */
export function wrongCode(secret: string, steps: readonly number[]): string {
  const taken = new Set(steps.map((step) => appCode(secret, step)));
  for (let n = 0; ; n += 1) {
    const candidate = String(n).padStart(6, '0');
    if (!taken.has(candidate)) return candidate;
  }
}

/**
 * Enrols `userId` and activates with the codes of the steps before and at the
 * clock's step; answers the secret and the recovery codes shown. The clock is
 * left where it was.
 */
export async function activeUser(
  service: ServiceUnderTest<'mfa'>,
  userId: string,
  label = `${userId}@example.com`,
): Promise<{ secret: string; activationStep: number; recoveryCodes: readonly string[] }> {
  const { secret } = await service.ok(MfaRpc.startEnrollment, { userId, label });
  const step = currentStep(service);
  const activation = await service.ok(MfaRpc.activate, {
    userId,
    code1: appCode(secret, step - 1),
    code2: appCode(secret, step),
  });
  return { secret, activationStep: step, recoveryCodes: recoveryCodesOf(activation) };
}

/**
 * The recovery codes of an answer as the gateway reads them (a list): a
 * service under test hands over the reply as sent, where they are one string.
 */
export const recoveryCodesOf = (answer: { recoveryCodes: unknown }): string[] =>
  MfaRpc.regenerateRecoveryCodes.response.shape.recoveryCodes.parse(answer.recoveryCodes);
