import type { ApiClient } from './http-client.js';
import { settledStep, totpAt } from './totp-oracle.js';

export interface AdminSession {
  readonly accessToken: string;
  readonly refreshToken: string;
  /** The admin's TOTP secret (base32), for later codes. */
  readonly secret: string;
  /** The step of the code the sign-in used: later codes must be of later steps. */
  readonly step: number;
}

/**
 * An admin's way in since step-up (administration needs a sign-in with a
 * code): the first sign-in may only enrol, so enrol, activate with two
 * consecutive codes, and sign in with the next step's code. For set-ups of
 * specs and benchmarks whose subject is not the admin.
 */
export async function signInAdminWithMfa(
  api: ApiClient,
  admin: { readonly email: string; readonly password: string },
): Promise<AdminSession> {
  const enrolOnly = await api.post('/v1/auth/login', admin);
  if (enrolOnly.body.status !== 'mfa_enrollment_required') {
    throw new Error(`admin sign-in: expected mfa_enrollment_required, got ${JSON.stringify(enrolOnly.body)}`);
  }
  const token = String(enrolOnly.body.accessToken);
  const { secret } = (await api.post<{ secret: string }>('/v1/me/mfa/enrollment', undefined, { token })).body;
  const activated = await settledStep();
  const activation = await api.post(
    '/v1/me/mfa/activation',
    { code1: totpAt(secret, activated - 1), code2: totpAt(secret, activated) },
    { token },
  );
  if (activation.status !== 200) throw new Error(`admin activation: ${JSON.stringify(activation.body)}`);
  const challenge = await api.post('/v1/auth/login', admin);
  const step = activated + 1;
  const signedIn = await api.post('/v1/auth/login/mfa', {
    mfaToken: challenge.body.mfaToken,
    code: totpAt(secret, step),
  });
  if (signedIn.body.status !== 'authenticated') throw new Error(`admin code step: ${JSON.stringify(signedIn.body)}`);
  return {
    accessToken: String(signedIn.body.accessToken),
    refreshToken: String(signedIn.body.refreshToken),
    secret,
    step,
  };
}
