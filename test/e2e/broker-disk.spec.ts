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
 * password, code and secret it sends is remembered, and then every file in the
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

  it('runs the journey: passwords, a new tenant, enrolment, activation, a code login, deactivation, a password change', async () => {
    sent.passwords.push(admin.password);
    const adminToken = (await api.post('/v1/auth/login', admin)).body.accessToken as string;
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

    const token = (await api.post('/v1/auth/login', { email: userEmail, password: first })).body.accessToken as string;
    const enrollment = await api.post('/v1/me/mfa/enrollment', undefined, { token });
    const { secret, otpauthUri, qrCode } = enrollment.body as Record<string, string>;
    sent.secrets.push(secret!, otpauthUri!, qrCode!.slice(-80));
    const step = await settledStep();
    const activation = { code1: code(secret!, step - 1), code2: code(secret!, step) };
    expect((await api.post('/v1/me/mfa/activation', activation, { token })).status).toBe(200);

    await waitForStepAfter(step);
    const challenge = await api.post('/v1/auth/login', { email: userEmail, password: first });
    const loginCode = code(secret!, await settledStep());
    const signedIn = await api.post('/v1/auth/login/mfa', { mfaToken: challenge.body.mfaToken, code: loginCode });
    expect(signedIn.body.status).toBe('authenticated');
    const fullToken = signedIn.body.accessToken as string;
    // A code of a far step: refused, but it crossed the bus all the same.
    const refused = { code: code(secret!, step + 40), confirm: true };
    expect((await api.post('/v1/me/mfa/deactivation', refused, { token: fullToken })).status).toBe(401);
    const change = { currentPassword: first, newPassword: password('second') };
    expect((await api.post('/v1/me/password', change, { token: fullToken })).status).toBe(200);
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
    expect(sent.codes).toHaveLength(4);
  });
});

function filesUnder(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}
