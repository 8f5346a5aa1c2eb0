import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MfaRpc } from '#contracts';
import { generateEncryptionKey } from '../totp/secret-cipher.js';
import { mfaStreamName } from '../mfa-enrollment/mfa-enrollment.events.js';
import type { ServiceUnderTest } from '#testing';
import { activeUser, appCode, CONTEXT, currentStep, startMfaService } from '../mfa.testing.js';

describe('mfa.verify-recovery-code', () => {
  let service: ServiceUnderTest<'mfa'>;
  let secret: string;
  let codes: readonly string[];
  /** A login's code step with a recovery code; each with a token of its own unless one is given. */
  const verify = (recoveryCode: string, userId = 'u1', challengeId: string = crypto.randomUUID()) =>
    service.call(MfaRpc.verifyRecoveryCode, { userId, recoveryCode, context: CONTEXT, challengeId });
  const storedTypes = async (userId = 'u1') =>
    (await service.store.read(mfaStreamName(userId))).map((event) => [event.type, event.data['reason']]);
  /** A well-formed code that is certainly none of the set: each code is 80 random bits. */
  const NOT_ISSUED = '0000-0000-0000-0000';

  beforeEach(async () => {
    service = await startMfaService({ env: { MFA_MAX_FAILED_ATTEMPTS: '5', MFA_LOCKOUT_SECONDS: '300' } });
    ({ secret, recoveryCodes: codes } = await activeUser(service, 'u1'));
    service.clock.advanceSeconds(30);
  });
  afterEach(() => service.close({ removeData: true }));

  it('accepts a code of the set, recording which, the login and its context, and says how many remain', async () => {
    const challengeId = crypto.randomUUID();
    expect(await verify(codes[4]!, 'u1', challengeId)).toEqual({
      ok: true,
      value: { verified: true, recoveryCodesRemaining: 9 },
    });
    expect((await service.store.read(mfaStreamName('u1'))).at(-1)).toMatchObject({
      type: 'RecoveryCodeUsed',
      data: { index: 4, usedAt: service.clock.now().toISOString(), challengeId, context: CONTEXT, remaining: 9 },
    });
    expect(await service.ok(MfaRpc.getStatus, { userId: 'u1' })).toMatchObject({ recoveryCodesRemaining: 9 });
  });

  it.each([
    ['in capitals', (code: string) => code.toUpperCase()],
    ['with spaces instead of dashes', (code: string) => code.replaceAll('-', ' ')],
    [
      'without dashes, in mixed case',
      (code: string) =>
        [...code.replaceAll('-', '')].map((character, i) => (i % 2 ? character.toUpperCase() : character)).join(''),
    ],
  ])('accepts a code typed %s', async (_case, typed) => {
    expect(typed(codes[0]!)).not.toBe(codes[0]);
    expect(await verify(typed(codes[0]!))).toMatchObject({ ok: true });
  });

  it("reads Crockford's look-alikes as he meant them: O as 0, I and L as 1", async () => {
    // One of ten 80-bit codes without a 0 or 1 in any: (30/32)^160, about 3 in 100,000.
    const code = codes.find((candidate) => /[01]/.test(candidate))!;
    const typed = code.replaceAll('0', 'O').replace('1', 'I').replaceAll('1', 'l');
    expect(typed).not.toBe(code);
    expect(await verify(typed)).toMatchObject({ ok: true });
  });

  it('accepts each code once: a used one is refused like a wrong one, and counted', async () => {
    await verify(codes[2]!);

    const used = await verify(codes[2]!);
    const wrong = await verify(NOT_ISSUED);

    expect(used).toEqual({ ok: false, error: { code: 'invalid_code', message: 'the code is not valid' } });
    expect(wrong).toEqual(used);
    expect((await storedTypes()).slice(-2)).toEqual([
      ['MfaChallengeFailed', 'recovery_code_used'],
      ['MfaChallengeFailed', 'invalid_recovery_code'],
    ]);
    const failures = (await service.store.read(mfaStreamName('u1'))).slice(-2);
    expect(failures.map((event) => event.data['consecutiveFailures'])).toEqual([1, 2]);
  });

  it('of 8 simultaneous uses of one code, lets exactly one through', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, () => verify(codes[1]!)));

    expect(results.filter((result) => result.ok)).toHaveLength(1);
    for (const result of results.filter((r) => !r.ok)) {
      expect(['invalid_code', 'mfa_locked']).toContain(result.ok ? null : result.error.code);
    }
    expect((await storedTypes()).filter(([type]) => type === 'RecoveryCodeUsed')).toHaveLength(1);
  });

  it('shares the lock-out with TOTP codes: then even a right recovery code gets mfa_locked', async () => {
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      expect(await verify(NOT_ISSUED)).toMatchObject({ error: { code: 'invalid_code' } });
    }
    expect(await verify(codes[0]!)).toMatchObject({
      error: { code: 'mfa_locked', details: { retryAfterSeconds: 300 } },
    });
    const totp = await service.call(MfaRpc.verifyChallenge, {
      userId: 'u1',
      code: appCode(secret, currentStep(service)),
      context: CONTEXT,
      challengeId: crypto.randomUUID(),
    });
    expect(totp).toMatchObject({ error: { code: 'mfa_locked' } });
    expect(await service.ok(MfaRpc.getStatus, { userId: 'u1' })).toMatchObject({ recoveryCodesRemaining: 10 });
  });

  it('uses the mfaToken up like a TOTP code: the same token is refused after, whatever the factor', async () => {
    const challengeId = crypto.randomUUID();
    await verify(codes[0]!, 'u1', challengeId);
    expect(await verify(codes[1]!, 'u1', challengeId)).toMatchObject({ error: { code: 'invalid_mfa_token' } });
    const totp = await service.call(MfaRpc.verifyChallenge, {
      userId: 'u1',
      code: appCode(secret, currentStep(service)),
      context: CONTEXT,
      challengeId,
    });
    expect(totp).toMatchObject({ error: { code: 'invalid_mfa_token' } });
  });

  it("refuses another user's code", async () => {
    const { recoveryCodes: theirs } = await activeUser(service, 'u2');
    expect(await verify(theirs[0]!)).toMatchObject({ error: { code: 'invalid_code' } });
    expect(await verify(codes[0]!, 'u2')).toMatchObject({ error: { code: 'invalid_code' } });
  });

  it('keeps a set usable after a key rotation (the key id names the key its hashes were made with)', async () => {
    const previous = service.config.MFA_ENCRYPTION_KEY!;
    await service.close();
    service = await startMfaService({
      dataDir: service.dataDir,
      now: service.clock.now(),
      env: { MFA_ENCRYPTION_KEY: generateEncryptionKey(), MFA_PREVIOUS_ENCRYPTION_KEYS: previous },
    });
    expect(await verify(codes[3]!)).toMatchObject({ ok: true });
    expect(await verify(codes[3]!)).toMatchObject({ error: { code: 'invalid_code' } });
  });

  it('refuses a malformed code at the edge (invalid_payload), recording nothing', async () => {
    const before = await storedTypes();
    for (const typed of ['', 'abcd-efgh', `${codes[0]!}-0000`, 'uuuu-uuuu-uuuu-uuuu']) {
      expect(await verify(typed)).toMatchObject({ error: { code: 'invalid_payload' } });
    }
    expect(await storedTypes()).toEqual(before);
  });

  it('answers mfa_not_active without an active enrollment, and records nothing', async () => {
    expect(await verify(codes[0]!, 'nobody')).toMatchObject({ error: { code: 'mfa_not_active' } });
    expect(await service.store.read(mfaStreamName('nobody'))).toEqual([]);
  });

  it('forgets the set at a deactivation: a new activation brings a new set, the old codes are refused', async () => {
    await service.ok(MfaRpc.deactivate, {
      userId: 'u1',
      code: appCode(secret, currentStep(service)),
      confirm: true,
      context: CONTEXT,
    });
    expect(await service.ok(MfaRpc.getStatus, { userId: 'u1' })).toMatchObject({ recoveryCodesRemaining: null });
    service.clock.advanceSeconds(60);
    const { recoveryCodes: fresh } = await activeUser(service, 'u1');
    expect(await verify(codes[0]!)).toMatchObject({ error: { code: 'invalid_code' } });
    expect(await verify(fresh[0]!)).toMatchObject({ ok: true });
  });
});
