import type { ApiClient } from './http-client.js';
import { settledStep, totpAt } from './totp-oracle.js';

export interface UserWithMfa {
  /** The id the admin API answered (`/v1/admin/users/{id}/...`). */
  readonly id: string;
  readonly email: string;
  readonly secret: string;
  /** The step of the later activation code: login codes must be of later steps. */
  readonly activatedStep: number;
}

/**
 * A user the way people get one: an admin creates them with a password the
 * user must replace at the first sign-in (to `password`), then they activate
 * MFA with the codes of two consecutive steps. For set-ups of specs and
 * benchmarks whose subject is not the user's first steps.
 */
export async function createUserWithMfa(
  api: ApiClient,
  adminToken: string,
  { email, password }: { readonly email: string; readonly password: string },
): Promise<UserWithMfa> {
  const setByAdmin = `set by the admin, ${password}`;
  const created = await api.post('/v1/admin/users', { email, password: setByAdmin, roles: [] }, { token: adminToken });
  if (created.status !== 201) throw new Error(`user not created: ${created.status} ${JSON.stringify(created.body)}`);
  const first = await api.post('/v1/auth/login', { email, password: setByAdmin });
  const changed = await api.post(
    '/v1/me/password',
    { currentPassword: setByAdmin, newPassword: password },
    { token: String(first.body.passwordChangeToken) },
  );
  if (changed.status !== 200) throw new Error(`first password change: ${JSON.stringify(changed.body)}`);
  const token = String((await api.post('/v1/auth/login', { email, password })).body.accessToken);
  const { secret } = (await api.post<{ secret: string }>('/v1/me/mfa/enrollment', undefined, { token })).body;
  const step = await settledStep();
  const activation = await api.post(
    '/v1/me/mfa/activation',
    { code1: totpAt(secret, step - 1), code2: totpAt(secret, step) },
    { token },
  );
  if (activation.status !== 200) throw new Error(`activation failed: ${JSON.stringify(activation.body)}`);
  return { id: String(created.body.id), email, secret, activatedStep: step };
}
