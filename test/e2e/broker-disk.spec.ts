import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  apiClient,
  settledStep,
  startSystem,
  totpAt,
  waitForStepAfter,
  type ApiClient,
  type RunningSystem,
} from '#testing';

/**
 * Issue 7, item 3: what crosses the bus never lands on the broker's disk in
 * plaintext. The journey runs over the broker as four processes, every
 * password, code, recovery code and secret it sends is remembered, and then every file in the
 * broker's log directory is searched for each of them. Unique values per run,
 * so nothing a previous run left there can hide or fake a hit.
 */
const dataDir = inject('kafkaDataDir');

describe.skipIf(!dataDir)('the broker’s disk after a journey (distributed)', () => {
  const run = randomBytes(4).toString('hex');
  const admin = { email: `admin-${run}@example.com`, password: `admin password ${run}` };
  const sent = { passwords: [] as string[], codes: [] as string[], secrets: [] as string[] };
  const userEmail = `disk-${run}@example.com`;
  let system: RunningSystem;
  let api: ApiClient;

  beforeAll(async () => {
    system = await startSystem({
      mode: 'distributed',
      kafka: inject('kafkaClients'),
      env: { BOOTSTRAP_ADMIN_EMAIL: admin.email, BOOTSTRAP_ADMIN_PASSWORD: admin.password },
    });
    api = apiClient(system.baseUrl);
  });
  afterAll(() => system?.stop({ removeData: true }));

  const password = (label: string) => {
    const value = `${label} ${run} ${randomBytes(6).toString('hex')}`;
    sent.passwords.push(value);
    return value;
  };
  const code = (secret: string, step: number) => {
    const value = totpAt(secret, step);
    sent.codes.push(value);
    return value;
  };

  it('runs the journey: the admin enrols, a new user and tenant, a first-sign-in password change, enrolment, activation with recovery codes, a code login, a recovery-code login, a refresh, a deactivation attempt', async () => {
    sent.passwords.push(admin.password);
    // The bootstrap admin enrols first (administration needs a sign-in with a code), then signs in with one.
    const enrolOnly = (await api.post('/v1/auth/login', admin)).body.accessToken as string;
    const adminEnrollment = (await api.post('/v1/me/mfa/enrollment', undefined, { token: enrolOnly })).body as Record<
      string,
      string
    >;
    const adminSecret = adminEnrollment.secret!;
    sent.secrets.push(adminSecret, adminEnrollment.otpauthUri!, adminEnrollment.qrCode!.slice(-80));
    const adminStep = await settledStep();
    const adminActivation = { code1: code(adminSecret, adminStep - 1), code2: code(adminSecret, adminStep) };
    expect((await api.post('/v1/me/mfa/activation', adminActivation, { token: enrolOnly })).status).toBe(200);
    const adminChallenge = await api.post('/v1/auth/login', admin);
    const adminSignIn = await api.post('/v1/auth/login/mfa', {
      mfaToken: adminChallenge.body.mfaToken,
      code: code(adminSecret, adminStep + 1),
    });
    const adminToken = adminSignIn.body.accessToken as string;
    // A refresh token crosses the bus sealed, both ways (to identity in a refresh, back in its answer).
    const refreshed = await api.post('/v1/auth/refresh', { refreshToken: adminSignIn.body.refreshToken });
    expect(refreshed.status).toBe(200);
    sent.secrets.push(String(adminSignIn.body.refreshToken), String(refreshed.body.refreshToken));
    const first = password('first');
    expect(
      (await api.post('/v1/admin/users', { email: userEmail, password: first, roles: [] }, { token: adminToken }))
        .status,
    ).toBe(201);
    const tenant = {
      name: `Tenant ${run}`,
      adminEmail: `tenant-${run}@example.com`,
      adminPassword: password('tenant'),
    };
    expect((await api.post('/v1/admin/organisations', tenant, { token: adminToken })).status).toBe(201);

    // A password set by an admin is changed at the first sign-in: two more passwords cross the bus.
    const firstSignIn = await api.post('/v1/auth/login', { email: userEmail, password: first });
    expect(firstSignIn.body.status).toBe('password_change_required');
    const second = password('second');
    const changed = await api.post(
      '/v1/me/password',
      { currentPassword: first, newPassword: second },
      { token: String(firstSignIn.body.passwordChangeToken) },
    );
    expect(changed.status).toBe(200);
    const token = (await api.post('/v1/auth/login', { email: userEmail, password: second })).body.accessToken as string;
    const enrollment = await api.post('/v1/me/mfa/enrollment', undefined, { token });
    const { secret, otpauthUri, qrCode } = enrollment.body as Record<string, string>;
    sent.secrets.push(secret!, otpauthUri!, qrCode!.slice(-80));
    const step = await settledStep();
    const activation = { code1: code(secret!, step - 1), code2: code(secret!, step) };
    const activated = await api.post<{ recoveryCodes: string[] }>('/v1/me/mfa/activation', activation, { token });
    expect(activated.status).toBe(200);
    // Recovery codes cross the bus sealed too: in the activation's answer, and one in a sign-in below.
    const recoveryCodes = activated.body.recoveryCodes;
    expect(recoveryCodes).toHaveLength(10);
    for (const recoveryCode of recoveryCodes) {
      sent.secrets.push(recoveryCode, recoveryCode.replaceAll('-', '').toUpperCase());
    }

    await waitForStepAfter(step);
    const challenge = await api.post('/v1/auth/login', { email: userEmail, password: second });
    const loginCode = code(secret!, await settledStep());
    const signedIn = await api.post('/v1/auth/login/mfa', { mfaToken: challenge.body.mfaToken, code: loginCode });
    expect(signedIn.body.status).toBe('authenticated');
    const fullToken = signedIn.body.accessToken as string;
    const recoveryChallenge = await api.post('/v1/auth/login', { email: userEmail, password: second });
    const recovered = await api.post('/v1/auth/login/mfa', {
      mfaToken: recoveryChallenge.body.mfaToken,
      recoveryCode: recoveryCodes[0],
    });
    expect(recovered.body.status).toBe('authenticated');
    // A code of a far step: refused, but it crossed the bus all the same.
    const refused = { code: code(secret!, step + 40), confirm: true };
    expect((await api.post('/v1/me/mfa/deactivation', refused, { token: fullToken })).status).toBe(401);
  });

  it('finds none of them in any file of the broker’s log directory, though it finds what is not secret', () => {
    // Records live in the segments (*.log); the index files beside them are mostly preallocated zeros.
    const files = filesUnder(dataDir!).filter((file) => file.endsWith('.log'));
    const contents = files.map((file) => readFileSync(file));
    const found = (needle: string) => contents.some((content) => content.includes(needle));

    // The scan reads the right files: the new user's address travelled in plaintext (it is not a secret).
    expect(found(userEmail)).toBe(true);
    for (const value of [...sent.passwords, ...sent.secrets]) expect(found(value), value).toBe(false);
    // A code is six digits: searched as the JSON string it would have been, not as digits inside a number.
    for (const value of sent.codes) expect(found(`"${value}"`), value).toBe(false);
    expect(sent.passwords).toHaveLength(4);
    expect(sent.codes).toHaveLength(7);
  });
});

function filesUnder(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}
