import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { readIntegrationEvent } from '#contracts';
import {
  apiClient,
  kafkaClientFor,
  jwtClaims,
  settledStep,
  startSystem,
  totpAt,
  waitForStepAfter,
  type ApiClient,
  type RunningSystem,
  type SystemMode,
} from '#testing';

/**
 * The whole journey over HTTP, exactly as a client would drive it, against
 * the four services as separate processes on Kafka and against the one-process
 * default. Codes come from an independent RFC 6238 implementation.
 */
const ADMIN = { email: 'admin@example.com', password: 'correct horse battery staple' };
const PASSWORD = 'a-long-enough-password';
/** What an admin gives a new user; replaced at the first sign-in. */
const ADMIN_SET_PASSWORD = 'an-admin-chose-this-one';

interface Enrollment {
  secret: string;
  otpauthUri: string;
  qrCode: string;
}

/** A recovery code as shown: four groups of four of Crockford's base32 (no i, l, o, u), lower case. */
const RECOVERY_CODE = /^[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}$/;

/** Every form a recovery code could take if it leaked: as shown, in capitals, with or without dashes. */
const recoveryCodeForms = (code: string): string[] => {
  const bare = code.replaceAll('-', '');
  return [code, code.toUpperCase(), bare, bare.toUpperCase()];
};

describe.each<SystemMode>(['distributed', 'embedded'])('the user journey (%s)', (mode) => {
  let system: RunningSystem;
  let api: ApiClient;
  let adminToken: string;
  /** The admin's session: its refresh token gets a fresh access token (5 minutes) before each test that may need it. */
  let adminRefreshToken: string;
  let adminTokenAt = 0;
  const secrets: string[] = [];
  /** Before this run's system started: older events of the shared topics (other specs', fakes among them) are not its. */
  let startedAt = '';
  const tokens: string[] = [];
  /** Every recovery code shown, for the leak checks at the end. */
  const recoveryCodes: string[] = [];

  const login = (email: string, password = PASSWORD, headers?: Record<string, string>) =>
    api.post('/v1/auth/login', { email, password }, { headers });

  const accessToken = async (email: string): Promise<string> => {
    const response = await login(email);
    expect(response.body.status).toBe('authenticated');
    tokens.push(String(response.body.accessToken));
    return String(response.body.accessToken);
  };

  /** The first sign-in with a password someone else set: only a password change, to PASSWORD. */
  const replaceSetPassword = async (email: string, setPassword = ADMIN_SET_PASSWORD) => {
    const first = await login(email, setPassword);
    expect(first.body).toMatchObject({ status: 'password_change_required', expiresIn: 300 });
    expect(first.body.accessToken).toBeUndefined();
    const token = String(first.body.passwordChangeToken);
    tokens.push(token);
    expect((await api.get('/v1/me', { token })).status).toBe(403);
    const changed = await api.post(
      '/v1/me/password',
      { currentPassword: setPassword, newPassword: PASSWORD },
      { token },
    );
    expect(changed).toMatchObject({ status: 200, body: { changedAt: expect.any(String) } });
  };

  const createUser = async (email: string, roles: string[] = []) => {
    const response = await api.post(
      '/v1/admin/users',
      { email, password: ADMIN_SET_PASSWORD, roles },
      { token: adminToken },
    );
    expect(response.status).toBe(201);
    await replaceSetPassword(email);
    return String(response.body.id);
  };

  /**
   * Enrols and activates with the codes of the previous and the current step;
   * returns the secret, that step and the ten recovery codes shown.
   */
  const activateMfa = async (token: string): Promise<{ secret: string; step: number; codes: string[] }> => {
    const enrollment = await api.post<Enrollment>('/v1/me/mfa/enrollment', undefined, { token });
    expect(enrollment.status).toBe(201);
    const { secret } = enrollment.body;
    secrets.push(secret);
    const step = await settledStep();
    const activation = await api.post(
      '/v1/me/mfa/activation',
      { code1: totpAt(secret, step - 1), code2: totpAt(secret, step) },
      { token },
    );
    expect(activation.status).toBe(200);
    expect(activation.body).toMatchObject({
      status: 'active',
      activatedAt: expect.any(String),
      recoveryCodesRemaining: 10,
    });
    const codes = activation.body.recoveryCodes as string[];
    expect(codes).toHaveLength(10);
    for (const code of codes) expect(code).toMatch(RECOVERY_CODE);
    recoveryCodes.push(...codes);
    return { secret, step, codes };
  };

  /** Password, then the code of `step`: the session's tokens. */
  const signInWithCode = async (email: string, secret: string, step: number, password = PASSWORD) => {
    const challenge = await login(email, password);
    expect(challenge.body.status).toBe('mfa_required');
    const signedIn = await api.post('/v1/auth/login/mfa', {
      mfaToken: challenge.body.mfaToken,
      code: totpAt(secret, step),
    });
    expect(signedIn.body).toMatchObject({ status: 'authenticated', expiresIn: 300 });
    const session = {
      accessToken: String(signedIn.body.accessToken),
      refreshToken: String(signedIn.body.refreshToken),
    };
    tokens.push(session.accessToken, session.refreshToken);
    return session;
  };

  /** Waits (a few seconds at most) until the gateway refuses `token`: a revocation travels as an event. */
  const refusedSoon = (token: string) =>
    expect.poll(async () => (await api.get('/v1/me', { token })).status, { timeout: 15_000, interval: 200 }).toBe(401);

  beforeAll(async () => {
    startedAt = new Date().toISOString();
    system = await startSystem({
      mode,
      kafka: inject('kafkaClients'),
      env: {
        BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
        BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
        LOGIN_RATE_LIMIT_PER_MINUTE: '1000',
        TOTP_ISSUER: 'Acme Books',
      },
    });
    api = apiClient(system.baseUrl);
    // The bootstrap admin has no MFA yet: the first sign-in may only enrol (administration needs a code).
    const first = await api.post('/v1/auth/login', ADMIN);
    expect(first.body).toMatchObject({ status: 'mfa_enrollment_required', tokenType: 'Bearer' });
    const enrolOnly = String(first.body.accessToken);
    tokens.push(enrolOnly);
    expect(await api.get('/v1/admin/policies', { token: enrolOnly })).toMatchObject({ status: 403 });
    const { secret, step } = await activateMfa(enrolOnly);
    const signedIn = await signInWithCode(ADMIN.email, secret, step + 1, ADMIN.password);
    adminToken = signedIn.accessToken;
    adminRefreshToken = signedIn.refreshToken;
    adminTokenAt = Date.now();
  });

  beforeEach(async () => {
    if (!adminRefreshToken || Date.now() - adminTokenAt < 120_000) return;
    const refreshed = await api.post('/v1/auth/refresh', { refreshToken: adminRefreshToken });
    expect(refreshed.status).toBe(200);
    adminToken = String(refreshed.body.accessToken);
    adminRefreshToken = String(refreshed.body.refreshToken);
    tokens.push(adminToken, adminRefreshToken);
    adminTokenAt = Date.now();
  });

  afterAll(async () => {
    await system?.stop({ removeData: true });
  });

  it('activates MFA with two consecutive codes, then asks for a code at every login, each code once', async () => {
    const aliceId = await createUser('alice@example.com', ['accounting']);
    const first = await login('alice@example.com');
    expect(first.body.status).toBe('authenticated');
    const aliceToken = String(first.body.accessToken);
    expect(jwtClaims(aliceToken)).toMatchObject({ sub: aliceId, roles: ['accounting'], amr: ['pwd'] });

    const enrollment = await api.post<Enrollment>('/v1/me/mfa/enrollment', undefined, { token: aliceToken });
    expect(enrollment.status).toBe(201);
    const { secret, otpauthUri, qrCode } = enrollment.body;
    secrets.push(secret);
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = new URL(otpauthUri);
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.searchParams.get('secret')).toBe(secret);
    expect(uri.searchParams.get('issuer')).toBe('Acme Books');
    expect(decodeURIComponent(uri.pathname)).toContain('alice@example.com');
    expect(qrCode).toMatch(/^data:image\/png;base64,/);
    const png = Buffer.from(qrCode.slice('data:image/png;base64,'.length), 'base64');
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect((await api.get('/v1/me', { token: aliceToken })).body).toMatchObject({ mfa: { status: 'pending' } });

    const step = await settledStep();
    const reversed = await api.post(
      '/v1/me/mfa/activation',
      { code1: totpAt(secret, step), code2: totpAt(secret, step - 1) },
      { token: aliceToken },
    );
    expect(reversed).toMatchObject({ status: 400, body: { error: 'invalid_codes' } });
    const activation = await api.post(
      '/v1/me/mfa/activation',
      { code1: totpAt(secret, step - 1), code2: totpAt(secret, step) },
      { token: aliceToken },
    );
    expect(activation).toMatchObject({ status: 200, body: { status: 'active' } });
    const again = await api.post<Enrollment>('/v1/me/mfa/enrollment', undefined, { token: aliceToken });
    expect(again).toMatchObject({ status: 409, body: { error: 'mfa_already_active' } });

    const challenge = await login('alice@example.com');
    expect(challenge.body).toMatchObject({ status: 'mfa_required', expiresIn: 300 });
    expect(challenge.body.accessToken).toBeUndefined();
    const mfaToken = String(challenge.body.mfaToken);
    tokens.push(mfaToken);
    expect((await api.get('/v1/me', { token: mfaToken })).status).toBe(401);

    const wrongCode = totpAt(secret, step + 1) === '000000' ? '111111' : '000000';
    const wrong = await api.post('/v1/auth/login/mfa', { mfaToken, code: wrongCode });
    expect(wrong).toMatchObject({ status: 401, body: { error: 'invalid_code' } });

    // The step after activation's is within the accepted drift: a fresh code.
    const code = totpAt(secret, step + 1);
    const right = await api.post('/v1/auth/login/mfa', { mfaToken, code });
    expect(right).toMatchObject({ status: 200, body: { status: 'authenticated', tokenType: 'Bearer' } });
    const strongToken = String(right.body.accessToken);
    tokens.push(strongToken);
    expect(jwtClaims(strongToken)).toMatchObject({ sub: aliceId, amr: ['pwd', 'otp'] });
    // The wrong code above did not use the mfaToken up; the right one did: not even the next step's code gets in with it.
    const reused = await api.post('/v1/auth/login/mfa', { mfaToken, code: totpAt(secret, step + 2) });
    expect(reused).toMatchObject({ status: 401, body: { error: 'invalid_mfa_token' } });

    const replayLogin = await login('alice@example.com');
    const replay = await api.post('/v1/auth/login/mfa', { mfaToken: replayLogin.body.mfaToken, code });
    expect(replay).toEqual({ ...wrong, headers: replay.headers });
    const reuseActivationStep = await api.post('/v1/auth/login/mfa', {
      mfaToken: replayLogin.body.mfaToken,
      code: totpAt(secret, step),
    });
    expect(reuseActivationStep).toMatchObject({ status: 401, body: { error: 'invalid_code' } });

    // Deactivation needs a code of a step not used yet: wait for the clock to move on.
    await waitForStepAfter(step);
    const fresh = totpAt(secret, step + 2);
    const unconfirmed = await api.post('/v1/me/mfa/deactivation', { code: fresh }, { token: strongToken });
    expect(unconfirmed).toMatchObject({ status: 400, body: { error: 'confirmation_required' } });
    const declined = await api.post('/v1/me/mfa/deactivation', { code: fresh, confirm: false }, { token: strongToken });
    expect(declined).toMatchObject({ status: 400, body: { error: 'confirmation_required' } });
    const wrongDeactivation = await api.post(
      '/v1/me/mfa/deactivation',
      { code: wrongCode, confirm: true },
      { token: strongToken },
    );
    expect(wrongDeactivation).toMatchObject({ status: 401, body: { error: 'invalid_code' } });
    const deactivation = await api.post(
      '/v1/me/mfa/deactivation',
      { code: fresh, confirm: true },
      { token: strongToken },
    );
    expect(deactivation).toMatchObject({ status: 200, body: { status: 'inactive' } });

    expect((await login('alice@example.com')).body.status).toBe('authenticated');
    expect((await api.get('/v1/me', { token: strongToken })).body).toMatchObject({
      id: aliceId,
      email: 'alice@example.com',
      roles: ['accounting'],
      mfa: { status: 'inactive', activatedAt: null },
    });
  }, 120_000);

  it('locks the code step after 5 wrong codes: then even the right code gets 423', async () => {
    await createUser('bob@example.com');
    const { secret, step } = await activateMfa(await accessToken('bob@example.com'));
    const { mfaToken } = (await login('bob@example.com')).body;
    const wrongCode = totpAt(secret, step + 1) === '999999' ? '888888' : '999999';
    for (let attempt = 1; attempt <= 5; attempt++) {
      const wrong = await api.post('/v1/auth/login/mfa', { mfaToken, code: wrongCode });
      expect(wrong).toMatchObject({ status: 401, body: { error: 'invalid_code' } });
    }
    const locked = await api.post('/v1/auth/login/mfa', { mfaToken, code: totpAt(secret, step + 1) });
    expect(locked).toMatchObject({ status: 423, body: { error: 'mfa_locked' } });
    const retryAfter = Number(locked.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(300);
  });

  it('lets an admin reset MFA, recorded with who and why, and shows the audit trail without secrets', async () => {
    const carolId = await createUser('carol@example.com');
    const { secret } = await activateMfa(await accessToken('carol@example.com'));
    expect((await login('carol@example.com')).body.status).toBe('mfa_required');

    const reset = await api.post(
      `/v1/admin/users/${carolId}/mfa/reset`,
      { reason: 'phone lost' },
      { token: adminToken },
    );
    expect(reset).toMatchObject({ status: 200, body: { status: 'inactive' } });
    expect((await login('carol@example.com')).body.status).toBe('authenticated');

    const audit = await api.get<{ events: { type: string; revision: number; data: Record<string, unknown> }[] }>(
      `/v1/admin/users/${carolId}/mfa/events`,
      { token: adminToken },
    );
    expect(audit.status).toBe(200);
    expect(audit.body.events.map((event) => event.type)).toEqual([
      'MfaEnrollmentStarted',
      'MfaActivated',
      'RecoveryCodesGenerated',
      'MfaDeactivated',
    ]);
    expect(audit.body.events.map((event) => event.revision)).toEqual([0, 1, 2, 3]);
    expect(audit.body.events[2]?.data).toEqual({
      schemaVersion: 1,
      count: 10,
      reason: 'activation',
      generatedAt: expect.any(String),
    });
    expect(JSON.stringify(audit.body.events[3]?.data)).toContain('phone lost');
    const adminId = String(jwtClaims(adminToken).sub);
    expect(JSON.stringify(audit.body.events[3]?.data)).toContain(adminId);
    const auditText = JSON.stringify(audit.body);
    expect(auditText).not.toContain(secret);
    expect(auditText).not.toMatch(/ciphertext/i);
    expect(audit.body).toMatchObject({ nextRevision: null });
    const page = await api.get<{ events: { revision: number }[] }>(
      `/v1/admin/users/${carolId}/mfa/events?fromRevision=1`,
      {
        token: adminToken,
      },
    );
    expect(page.body.events.map((event) => event.revision)).toEqual([1, 2, 3]);
  });

  it('shows ten recovery codes once at activation: each signs in once instead of a code, and new ones replace them', async () => {
    const daveId = await createUser('dave@example.com');
    const { secret, step, codes } = await activateMfa(await accessToken('dave@example.com'));
    const mfaTokenOfPasswordStep = async () => {
      const challenge = await login('dave@example.com');
      expect(challenge.body.status).toBe('mfa_required');
      tokens.push(String(challenge.body.mfaToken));
      return String(challenge.body.mfaToken);
    };

    // Typed the way a person reads it off paper: groups apart, no dashes, some capitals.
    const [first, second] = codes as [string, string];
    const typed = first
      .split('-')
      .map((group, index) => (index % 2 ? group.toUpperCase() : group))
      .join(' ');
    const signedIn = await api.post('/v1/auth/login/mfa', {
      mfaToken: await mfaTokenOfPasswordStep(),
      recoveryCode: typed,
    });
    expect(signedIn).toMatchObject({
      status: 200,
      body: { status: 'authenticated', tokenType: 'Bearer', recoveryCodesRemaining: 9 },
    });
    const token = String(signedIn.body.accessToken);
    tokens.push(token, String(signedIn.body.refreshToken));
    expect(jwtClaims(token)).toMatchObject({ sub: daveId, amr: ['pwd', 'rec'] });

    const usedAgain = await api.post('/v1/auth/login/mfa', {
      mfaToken: await mfaTokenOfPasswordStep(),
      recoveryCode: first,
    });
    expect(usedAgain).toMatchObject({ status: 401, body: { error: 'invalid_code' } });
    const both = await api.post('/v1/auth/login/mfa', {
      mfaToken: await mfaTokenOfPasswordStep(),
      code: totpAt(secret, step + 1),
      recoveryCode: second,
    });
    expect(both).toMatchObject({ status: 400, body: { error: 'validation_failed' } });
    expect(await api.get('/v1/me/mfa', { token })).toMatchObject({
      status: 200,
      body: { status: 'active', recoveryCodesRemaining: 9 },
    });

    // New codes for a current code (the step after activation's is still fresh): the old ones stop working.
    const wrongCode = totpAt(secret, step + 1) === '000000' ? '111111' : '000000';
    const refused = await api.post('/v1/me/mfa/recovery-codes', { code: wrongCode }, { token });
    expect(refused).toMatchObject({ status: 401, body: { error: 'invalid_code' } });
    const regenerated = await api.post('/v1/me/mfa/recovery-codes', { code: totpAt(secret, step + 1) }, { token });
    expect(regenerated).toMatchObject({ status: 200, body: { generatedAt: expect.any(String) } });
    const fresh = regenerated.body.recoveryCodes as string[];
    expect(fresh).toHaveLength(10);
    for (const code of fresh) expect(code).toMatch(RECOVERY_CODE);
    expect(fresh.filter((code) => codes.includes(code))).toEqual([]);
    recoveryCodes.push(...fresh);
    expect((await api.get('/v1/me/mfa', { token })).body).toMatchObject({ recoveryCodesRemaining: 10 });

    const oldCode = await api.post('/v1/auth/login/mfa', {
      mfaToken: await mfaTokenOfPasswordStep(),
      recoveryCode: second,
    });
    expect(oldCode).toMatchObject({ status: 401, body: { error: 'invalid_code' } });
    const newCode = await api.post('/v1/auth/login/mfa', {
      mfaToken: await mfaTokenOfPasswordStep(),
      recoveryCode: fresh[0]!.replaceAll('-', '').toUpperCase(),
    });
    expect(newCode).toMatchObject({ status: 200, body: { status: 'authenticated', recoveryCodesRemaining: 9 } });
    tokens.push(String(newCode.body.accessToken), String(newCode.body.refreshToken));
    expect((await api.get('/v1/me/mfa', { token })).body).toMatchObject({ recoveryCodesRemaining: 9 });

    // The phone is lost: a recovery code stands in for the code that deactivation asks for, and the new phone is
    // enrolled (with a new set). The session it was done in goes on.
    const lostPhone = await api.post('/v1/me/mfa/deactivation', { recoveryCode: fresh[1], confirm: true }, { token });
    expect(lostPhone).toMatchObject({ status: 200, body: { status: 'inactive' } });
    expect((await api.get('/v1/me/mfa', { token })).body).toMatchObject({ recoveryCodesRemaining: null });
    const newPhone = await activateMfa(token);
    expect(newPhone.codes.filter((code) => fresh.includes(code))).toEqual([]);
    expect((await login('dave@example.com')).body.status).toBe('mfa_required');

    if (mode === 'distributed') await expectNoRecoveryCodeOnTheBus([...codes, ...fresh, ...newPhone.codes]);
  }, 120_000);

  /**
   * The request and reply topics that carried these codes, read as the broker
   * holds them (as its admin: no service may read another's): each code went
   * sealed, never in any plaintext form. Read at once, as they are kept only a
   * minute. A request names its pattern in its `x-pattern` header; a reply
   * is its request's by correlation id.
   */
  const expectNoRecoveryCodeOnTheBus = async (codes: readonly string[]) => {
    const topics = ['mfa.requests', 'mfa.requests.reply'];
    const consumer = kafkaClientFor(inject('kafkaClients').admin, 'e2e-sealing').consumer({
      groupId: `e2e-sealing-${Date.now()}`,
      maxWaitTimeInMs: 250,
    });
    const messages: Array<{ topic: string; pattern: string; correlationId: string; text: string }> = [];
    await consumer.connect();
    try {
      await consumer.subscribe({ topics, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ topic, message }) =>
          void messages.push({
            topic,
            pattern: String(message.headers?.['x-pattern'] ?? ''),
            correlationId: String(message.headers?.kafka_correlationId ?? ''),
            text: message.value?.toString() ?? '',
          }),
      });
      const sealedIn = (pattern: string, reply: boolean, field: string) => {
        const requests = messages.filter((m) => m.topic === 'mfa.requests');
        const patternOf = new Map(requests.map((m) => [m.correlationId, m.pattern]));
        return messages.filter(
          (m) =>
            m.topic === (reply ? 'mfa.requests.reply' : 'mfa.requests') &&
            (reply ? patternOf.get(m.correlationId) : m.pattern) === pattern &&
            m.text.includes(`"${field}":{"kid":`),
        ).length;
      };
      await expect
        .poll(
          () => [
            sealedIn('mfa.activate', true, 'recoveryCodes') > 0,
            sealedIn('mfa.verify-recovery-code', false, 'recoveryCode') >= 4,
            sealedIn('mfa.regenerate-recovery-codes', true, 'recoveryCodes') > 0,
            sealedIn('mfa.deactivate', false, 'recoveryCode') > 0,
          ],
          { timeout: 30_000 },
        )
        .toEqual([true, true, true, true]);
    } finally {
      await consumer.disconnect();
    }
    const all = messages.map((m) => m.text).join('\n');
    for (const code of codes) for (const form of recoveryCodeForms(code)) expect(all).not.toContain(form);
  };

  it('restricts logins to the IP allow-list, ignores a forged X-Forwarded-For, and lifts it', async () => {
    await createUser('dan@example.com');
    const restrict = await api.put(
      '/v1/admin/policies/ip-allowlist',
      { cidrs: ['10.0.0.0/8', '2001:db8::/32'] },
      { token: adminToken },
    );
    expect(restrict.status).toBe(200);
    expect(restrict.body).toMatchObject({ ipAllowlist: ['10.0.0.0/8', '2001:db8::/32'] });
    try {
      expect(await login('dan@example.com')).toMatchObject({ status: 403, body: { error: 'ip_not_allowed' } });
      const forged = await login('dan@example.com', PASSWORD, { 'x-forwarded-for': '10.1.2.3' });
      expect(forged).toMatchObject({ status: 403, body: { error: 'ip_not_allowed' } });
      // Refused whatever the password, and for an address nobody has alike: no oracle for either.
      expect(await login('dan@example.com', 'not-the-password!')).toMatchObject({
        status: 403,
        body: { error: 'ip_not_allowed' },
      });
      expect(await login('nobody-at-all@example.com', 'not-the-password!')).toMatchObject({
        status: 403,
        body: { error: 'ip_not_allowed' },
      });
    } finally {
      const lift = await api.put('/v1/admin/policies/ip-allowlist', { cidrs: [] }, { token: adminToken });
      expect(lift).toMatchObject({ status: 200, body: { ipAllowlist: [] } });
    }
    expect((await login('dan@example.com')).body.status).toBe('authenticated');
    const invalid = await api.put('/v1/admin/policies/ip-allowlist', { cidrs: ['10.0.0.0/33'] }, { token: adminToken });
    expect(invalid).toMatchObject({ status: 400, body: { error: 'validation_failed' } });
  });

  it('makes MFA mandatory for a role: the enrolment-only token enrols and does nothing else', async () => {
    await createUser('erin@example.com', ['billing']);
    const policy = await api.put(
      '/v1/admin/policies/mfa',
      { requiredForAll: false, requiredForRoles: ['billing'] },
      { token: adminToken },
    );
    expect(policy).toMatchObject({
      status: 200,
      body: { mfa: { requiredForAll: false, requiredForRoles: ['billing'] } },
    });
    try {
      const response = await login('erin@example.com');
      expect(response.body).toMatchObject({ status: 'mfa_enrollment_required', tokenType: 'Bearer' });
      const enrolOnly = String(response.body.accessToken);
      tokens.push(enrolOnly);
      expect((await api.get('/v1/me', { token: enrolOnly })).status).toBe(200);
      expect((await api.get('/v1/admin/policies', { token: enrolOnly })).status).toBe(403);
      expect(
        (await api.post('/v1/me/mfa/deactivation', { code: '123456', confirm: true }, { token: enrolOnly })).status,
      ).toBe(403);
      await activateMfa(enrolOnly);
      expect((await login('erin@example.com')).body.status).toBe('mfa_required');
      // Users outside the role are not asked.
      expect((await login('dan@example.com')).body.status).toBe('authenticated');
    } finally {
      await api.put('/v1/admin/policies/mfa', { requiredForAll: false, requiredForRoles: [] }, { token: adminToken });
    }
  }, 60_000);

  it('keeps administration to admins of the same organisation', async () => {
    const frankId = await createUser('frank@example.com', ['accounting']);
    const frankToken = await accessToken('frank@example.com');
    for (const call of [
      () => api.get('/v1/admin/policies', { token: frankToken }),
      () =>
        api.post('/v1/admin/users', { email: 'x@example.com', password: PASSWORD, roles: [] }, { token: frankToken }),
      () => api.post(`/v1/admin/users/${frankId}/mfa/reset`, { reason: 'x' }, { token: frankToken }),
    ]) {
      expect(await call()).toMatchObject({ status: 403, body: { error: 'forbidden' } });
    }

    const tenant = await api.post(
      '/v1/admin/organisations',
      { name: 'Other Ltd', adminEmail: 'boss@other.example', adminPassword: ADMIN_SET_PASSWORD },
      { token: adminToken },
    );
    expect(tenant).toMatchObject({
      status: 201,
      body: { name: 'Other Ltd', id: expect.any(String), adminId: expect.any(String) },
    });
    await replaceSetPassword('boss@other.example');
    // An admin of the new tenant enrols before administering anything, as the operator did.
    const bossFirst = await login('boss@other.example');
    expect(bossFirst.body.status).toBe('mfa_enrollment_required');
    const boss = await activateMfa(String(bossFirst.body.accessToken));
    const otherAdmin = (await signInWithCode('boss@other.example', boss.secret, boss.step + 1)).accessToken;
    const reset = await api.post(`/v1/admin/users/${frankId}/mfa/reset`, { reason: 'x' }, { token: otherAdmin });
    expect(reset).toMatchObject({ status: 404, body: { error: 'not_found' } });
    expect((await api.get(`/v1/admin/users/${frankId}/mfa/events`, { token: otherAdmin })).status).toBe(404);
    const nested = await api.post(
      '/v1/admin/organisations',
      { name: 'Nested Ltd', adminEmail: 'n@other.example', adminPassword: PASSWORD },
      { token: otherAdmin },
    );
    expect(nested).toMatchObject({ status: 403, body: { error: 'forbidden' } });
    const taken = await api.post(
      '/v1/admin/users',
      { email: 'frank@example.com', password: PASSWORD, roles: [] },
      { token: adminToken },
    );
    expect(taken).toMatchObject({ status: 409, body: { error: 'email_taken' } });
    const weak = await api.post(
      '/v1/admin/users',
      { email: 'w@example.com', password: 'short', roles: [] },
      { token: adminToken },
    );
    expect(weak).toMatchObject({ status: 400, body: { error: 'weak_password' } });
  });

  it('answers an unknown email and a wrong password the same way, in the same time', async () => {
    // Four users, three wrong passwords each: below the per-account delay that starts after five.
    const known = ['gina@example.com', 'gina2@example.com', 'gina3@example.com', 'gina4@example.com'];
    for (const email of known) await createUser(email);
    const unknown = await login('nobody@example.com', 'wrong-password-123');
    const wrong = await login('gina@example.com', 'wrong-password-123');
    expect(unknown.status).toBe(401);
    expect(unknown.body).toEqual(wrong.body);
    expect(unknown.body).toEqual({ error: 'invalid_credentials', message: expect.any(String) });

    const timings = { unknown: [] as number[], wrong: [] as number[] };
    for (let round = 0; round < 12; round++) {
      for (const [kind, email] of [
        ['unknown', `nobody${round}@example.com`],
        ['wrong', known[(round + 1) % known.length]!],
      ] as const) {
        const started = performance.now();
        expect((await login(email, 'wrong-password-123')).status).toBe(401);
        timings[kind].push(performance.now() - started);
      }
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const ratio = median(timings.unknown) / median(timings.wrong);
    // Without the dummy hash an unknown email answers about ten times faster than a wrong password (one argon2
    // verify is nearly all of it): bounds wide enough for a machine busy with other work, narrow enough for that.
    expect(ratio, `median unknown ${median(timings.unknown)} ms, wrong ${median(timings.wrong)} ms`).toBeGreaterThan(
      0.4,
    );
    expect(ratio).toBeLessThan(2.5);
  });

  it('lets a user change their password, proving the current one: the old one stops working', async () => {
    await createUser('hana@example.com');
    const token = await accessToken('hana@example.com');
    const newPassword = 'a-new-long-enough-password';
    secrets.push(newPassword);
    const change = (currentPassword: string, password: string) =>
      api.post('/v1/me/password', { currentPassword, newPassword: password }, { token });
    expect(await change('not-the-password!', newPassword)).toMatchObject({
      status: 401,
      body: { error: 'invalid_credentials' },
    });
    expect(await change(PASSWORD, 'short')).toMatchObject({ status: 400, body: { error: 'weak_password' } });
    expect(await change(PASSWORD, 'password1234')).toMatchObject({
      status: 400,
      body: { error: 'password_too_common' },
    });
    expect(await change(PASSWORD, newPassword)).toMatchObject({ status: 200, body: { changedAt: expect.any(String) } });
    expect((await login('hana@example.com')).status).toBe(401);
    expect((await login('hana@example.com', newPassword)).body.status).toBe('authenticated');
  });

  it("throttles a user's password after five failures, an unknown address alike, and lets an admin unlock", async () => {
    const ivanId = await createUser('ivan@example.com');
    const attempts = async (email: string) => {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await login(email, 'not-ivans-password')).status);
      return statuses;
    };
    expect(await attempts('ivan@example.com')).toEqual([401, 401, 401, 401, 401, 429]);
    // Within a second of the fifth failure even the right password waits, unchecked.
    const waiting = await login('ivan@example.com', PASSWORD);
    expect(waiting).toMatchObject({ status: 429, body: { error: 'too_many_attempts' } });
    expect(Number(waiting.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await attempts('nobody-ivan@example.com')).toEqual([401, 401, 401, 401, 401, 429]);

    const unlock = await api.post(`/v1/admin/users/${ivanId}/unlock`, { reason: 'ivan called' }, { token: adminToken });
    expect(unlock).toMatchObject({ status: 200, body: { locked: false } });
    // The count started again: four wrong passwords are answered at once, then the right one signs in.
    for (let i = 0; i < 4; i++) expect((await login('ivan@example.com', 'not-ivans-password')).status).toBe(401);
    expect((await login('ivan@example.com')).body.status).toBe('authenticated');
  });

  it('lets an admin set a new password, which the user must change at the next sign-in', async () => {
    const judyId = await createUser('judy@example.com');
    const reset = await api.post(
      `/v1/admin/users/${judyId}/password`,
      { password: 'the-helpdesk-chose-this' },
      { token: adminToken },
    );
    expect(reset).toMatchObject({ status: 200, body: { passwordChangeRequired: true, setAt: expect.any(String) } });
    secrets.push('the-helpdesk-chose-this');
    expect((await login('judy@example.com')).status).toBe(401);
    await replaceSetPassword('judy@example.com', 'the-helpdesk-chose-this');
    expect((await login('judy@example.com')).body.status).toBe('authenticated');
    const common = await api.post(
      `/v1/admin/users/${judyId}/password`,
      { password: 'qwertyuiopasdfgh' },
      { token: adminToken },
    );
    expect(common).toMatchObject({ status: 400, body: { error: 'password_too_common' } });
  });

  it('refreshes a session, ends it on a replayed refresh token, lists and revokes sessions, and logs out', async () => {
    await createUser('kim@example.com');
    const first = await login('kim@example.com');
    expect(first.body).toMatchObject({ status: 'authenticated', expiresIn: 300, refreshToken: expect.any(String) });
    expect(first.headers.get('cache-control')).toBe('no-store');
    const [laptop, phone] = [first.body, (await login('kim@example.com')).body].map((body) => ({
      accessToken: String(body.accessToken),
      refreshToken: String(body.refreshToken),
    }));
    tokens.push(laptop!.accessToken, laptop!.refreshToken, phone!.accessToken, phone!.refreshToken);

    const refreshed = await api.post('/v1/auth/refresh', { refreshToken: laptop!.refreshToken });
    expect(refreshed).toMatchObject({ status: 200, body: { status: 'authenticated', expiresIn: 300 } });
    const rotated = String(refreshed.body.refreshToken);
    tokens.push(rotated, String(refreshed.body.accessToken));
    expect(jwtClaims(String(refreshed.body.accessToken))['sid']).toBe(jwtClaims(laptop!.accessToken)['sid']);

    const listed = await api.get<{ sessions: { id: string; current: boolean; ip: string }[] }>('/v1/me/sessions', {
      token: String(refreshed.body.accessToken),
    });
    expect(listed.status).toBe(200);
    expect(listed.body.sessions.map((session) => [session.id, session.current])).toEqual([
      [jwtClaims(phone!.accessToken)['sid'], false],
      [jwtClaims(laptop!.accessToken)['sid'], true],
    ]);

    // The spent refresh token comes back (a copy in a thief's hands): the whole session ends.
    const replay = await api.post('/v1/auth/refresh', { refreshToken: laptop!.refreshToken });
    expect(replay).toMatchObject({ status: 401, body: { error: 'invalid_refresh_token' } });
    expect(replay.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await api.post('/v1/auth/refresh', { refreshToken: rotated })).toMatchObject({ status: 401 });
    await refusedSoon(String(refreshed.body.accessToken));

    // From the phone: the list no longer shows the laptop; ending the phone's own session is a logout.
    const remaining = await api.get<{ sessions: { id: string }[] }>('/v1/me/sessions', { token: phone!.accessToken });
    expect(remaining.body.sessions.map((session) => session.id)).toEqual([jwtClaims(phone!.accessToken)['sid']]);
    expect(await api.delete(`/v1/me/sessions/${crypto.randomUUID()}`, { token: phone!.accessToken })).toMatchObject({
      status: 404,
    });
    expect(await api.post('/v1/auth/logout', { refreshToken: phone!.refreshToken })).toMatchObject({ status: 204 });
    await refusedSoon(phone!.accessToken);
    expect(await api.post('/v1/auth/refresh', { refreshToken: phone!.refreshToken })).toMatchObject({ status: 401 });
  });

  it("revokes a user's other sessions when they change their password, and all of them at an MFA reset", async () => {
    const lenaId = await createUser('lena@example.com');
    const here = await accessToken('lena@example.com');
    const elsewhere = (await login('lena@example.com')).body;
    tokens.push(String(elsewhere.accessToken), String(elsewhere.refreshToken));
    const newPassword = 'lenas-new-long-password';
    secrets.push(newPassword);

    const change = await api.post('/v1/me/password', { currentPassword: PASSWORD, newPassword }, { token: here });
    expect(change.status).toBe(200);
    await refusedSoon(String(elsewhere.accessToken));
    expect(await api.post('/v1/auth/refresh', { refreshToken: elsewhere.refreshToken })).toMatchObject({
      status: 401,
      body: { error: 'invalid_refresh_token' },
    });
    // The session the change was made in goes on.
    expect((await api.get('/v1/me', { token: here })).status).toBe(200);

    // Lost phone: the admin's reset ends every session of the user, this one too, and its refresh token.
    const { secret, step } = await activateMfa(here);
    const withCode = await signInWithCode('lena@example.com', secret, step + 1, newPassword);
    const refreshed = await api.post('/v1/auth/refresh', { refreshToken: withCode.refreshToken });
    expect(refreshed.status).toBe(200);
    const reset = await api.post(
      `/v1/admin/users/${lenaId}/mfa/reset`,
      { reason: 'phone lost' },
      { token: adminToken },
    );
    expect(reset).toMatchObject({ status: 200, body: { status: 'inactive' } });
    await refusedSoon(String(refreshed.body.accessToken));
    await refusedSoon(here);
    expect(await api.post('/v1/auth/refresh', { refreshToken: refreshed.body.refreshToken })).toMatchObject({
      status: 401,
      body: { error: 'invalid_refresh_token' },
    });
    expect((await login('lena@example.com', newPassword)).body.status).toBe('authenticated');
  }, 60_000);

  it('refuses forged, foreign and misused tokens', async () => {
    const [, payload] = adminToken.split('.');
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
    expect((await api.get('/v1/me', { token: unsigned })).status).toBe(401);

    const jwks = (await api.get<{ keys: Record<string, unknown>[] }>('/.well-known/jwks.json')).body;
    const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: jwks.keys[0]?.kid })).toString(
      'base64url',
    );
    const hmacKey = JSON.stringify(jwks.keys[0]);
    const signature = createHmac('sha256', hmacKey).update(`${header}.${payload}`).digest('base64url');
    expect((await api.get('/v1/me', { token: `${header}.${payload}.${signature}` })).status).toBe(401);

    const tampered = adminToken.slice(0, -4) + (adminToken.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expect((await api.get('/v1/me', { token: tampered })).status).toBe(401);
    const missing = await api.get('/v1/me');
    expect(missing).toMatchObject({ status: 401, body: { error: 'invalid_token' } });
    expect((await api.post('/v1/auth/login/mfa', { mfaToken: adminToken, code: '123456' })).body).toMatchObject({
      error: 'invalid_mfa_token',
    });
  });

  it("answers a client's mistakes with 4xx in the documented shape", async () => {
    const malformed = await api.post('/v1/auth/login', undefined, { rawBody: '{"email": ' });
    expect(malformed).toMatchObject({ status: 400, body: { error: 'validation_failed', message: expect.any(String) } });
    const huge = await api.post('/v1/auth/login', undefined, {
      rawBody: JSON.stringify({ email: 'a@example.com', password: 'x'.repeat(70 * 1024) }),
    });
    expect(huge).toMatchObject({ status: 413, body: { error: 'payload_too_large' } });
    const missingFields = await api.post('/v1/auth/login', { email: 'a@example.com' });
    expect(missingFields).toMatchObject({ status: 400, body: { error: 'validation_failed' } });
    const notFound = await api.get('/v1/nothing-here', { token: adminToken });
    expect(notFound).toMatchObject({ status: 404, body: { error: 'not_found' } });
    const badCode = await api.post('/v1/me/mfa/activation', { code1: 'abc', code2: 12 }, { token: adminToken });
    expect(badCode).toMatchObject({ status: 400, body: { error: 'validation_failed' } });
  });

  it('publishes integration events without secrets (distributed: on Kafka)', async () => {
    if (mode === 'embedded') return expect(system.env.KAFKA_BROKERS).toBeUndefined();
    // As the read-only subscriber principal, as another service would read them.
    const consumer = kafkaClientFor(inject('kafkaClients').subscriber, 'e2e-audit').consumer({
      groupId: `subscriber-e2e-audit-${Date.now()}`,
      maxWaitTimeInMs: 250,
    });
    const seen: string[] = [];
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: ['auth.mfa.events', 'auth.identity.events'], fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.value?.toString() ?? '') });
      const aliceEvents = () => seen.filter((text) => text.includes('MfaActivated')).length;
      await expect.poll(aliceEvents, { timeout: 30_000 }).toBeGreaterThan(0);
      await expect.poll(() => seen.some((text) => text.includes('SessionRevoked')), { timeout: 30_000 }).toBe(true);
      await expect.poll(() => seen.some((text) => text.includes('RecoveryCodeUsed')), { timeout: 30_000 }).toBe(true);
    } finally {
      await consumer.disconnect();
    }
    // Each as its contract says (libs/contracts/src/integration-events), read as a consumer reads it.
    const ours = seen
      .map((text) => JSON.parse(text) as { occurredAt?: string })
      .filter((event) => (event.occurredAt ?? '') >= startedAt);
    expect(ours.length).toBeGreaterThan(0);
    for (const event of ours) expect(readIntegrationEvent(event)).toMatchObject({ outcome: 'known' });
    expect(system.logs()).not.toMatch(/breaks its contract/);
    const all = seen.join('\n');
    for (const secret of secrets) expect(all).not.toContain(secret);
    expect(recoveryCodes.length).toBeGreaterThanOrEqual(20);
    for (const code of recoveryCodes) for (const form of recoveryCodeForms(code)) expect(all).not.toContain(form);
    expect(all).not.toMatch(/"hashes"/);
    // Sessions are published (the gateway refuses a revoked one's tokens), never a token of theirs.
    for (const token of tokens) expect(all).not.toContain(token.split('.').at(-1));
    expect(all).not.toContain('$argon2');
    expect(all).not.toContain(PASSWORD);
    const event = JSON.parse(seen.find((text) => text.includes('MfaActivated'))!);
    expect(event).toMatchObject({
      eventId: expect.any(String),
      type: 'MfaActivated',
      schemaVersion: expect.any(Number),
      occurredAt: expect.any(String),
      source: { stream: expect.stringMatching(/^mfa-/), revision: expect.any(Number) },
    });
  });

  it('never writes secrets, passwords, hashes or tokens to the logs', () => {
    const logs = system.logs();
    expect(logs.length).toBeGreaterThan(0);
    const kafkaPasswords = Object.values(inject('kafkaClients')).flatMap(({ KAFKA_SASL_PASSWORD_FILE: file }) =>
      file ? [readFileSync(file, 'utf8').trim()] : [],
    );
    for (const secret of [
      ...secrets,
      ...tokens,
      ADMIN.password,
      PASSWORD,
      ADMIN_SET_PASSWORD,
      adminToken,
      ...kafkaPasswords,
    ])
      expect(logs).not.toContain(secret);
    expect(logs).not.toContain('$argon2');
    expect(recoveryCodes.length).toBeGreaterThanOrEqual(20);
    for (const code of recoveryCodes) for (const form of recoveryCodeForms(code)) expect(logs).not.toContain(form);
  });
});

describe('login rate limit behind a trusted proxy (embedded, TRUST_PROXY on)', () => {
  let system: RunningSystem;

  beforeAll(async () => {
    system = await startSystem({ mode: 'embedded', env: { LOGIN_RATE_LIMIT_PER_MINUTE: '3', TRUST_PROXY: 'true' } });
  });

  afterAll(async () => {
    await system?.stop({ removeData: true });
  });

  it('answers 429 with Retry-After past the limit, per client IP taken from X-Forwarded-For', async () => {
    const api = apiClient(system.baseUrl);
    const attempt = (clientIp: string) =>
      api.post(
        '/v1/auth/login',
        { email: 'x@example.com', password: 'wrong-password' },
        // The proxy appends the address it saw; what the client sent before it is not trusted.
        { headers: { 'x-forwarded-for': `203.0.113.99, ${clientIp}` } },
      );
    for (let count = 0; count < 3; count++) expect((await attempt('198.51.100.1')).status).toBe(401);
    const limited = await attempt('198.51.100.1');
    expect(limited).toMatchObject({ status: 429, body: { error: 'too_many_attempts' } });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await attempt('198.51.100.2')).status).toBe(401);
  });
});
