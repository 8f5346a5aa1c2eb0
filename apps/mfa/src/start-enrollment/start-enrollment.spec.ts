import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MfaRpc } from '#contracts';
import { mfaStreamName } from '../mfa-enrollment/mfa-enrollment.events.js';
import type { ServiceUnderTest } from '#testing';
import { activeUser, appCode, currentStep, startMfaService, T0 } from '../mfa.testing.js';
import { SecretCipher } from '../totp/secret-cipher.js';

describe('mfa.start-enrollment', () => {
  let service: ServiceUnderTest<'mfa'>;
  beforeEach(async () => {
    service = await startMfaService({ env: { TOTP_ISSUER: 'Acme Books', MFA_ENROLLMENT_TTL_SECONDS: '120' } });
  });
  afterEach(() => service.close({ removeData: true }));

  it('answers a 160-bit base32 secret, its otpauth:// URI, a PNG QR code and the expiry', async () => {
    const enrollment = await service.ok(MfaRpc.startEnrollment, { userId: 'u1', label: 'ann@example.com' });

    expect(enrollment.secret).toMatch(/^[A-Z2-7]{32}$/); // 32 base32 characters = 160 bits
    expect(enrollment.otpauthUri).toBe(
      `otpauth://totp/Acme%20Books:ann%40example.com?secret=${enrollment.secret}` +
        '&issuer=Acme%20Books&algorithm=SHA1&digits=6&period=30',
    );
    expect(enrollment.qrCode).toMatch(/^data:image\/png;base64,[A-Za-z0-9+/]+=*$/);
    expect(enrollment.expiresAt).toBe(new Date(T0.getTime() + 120_000).toISOString());
    expect(await service.ok(MfaRpc.getStatus, { userId: 'u1' })).toEqual({
      status: 'pending',
      activatedAt: null,
      recoveryCodesRemaining: null,
    });
  });

  it('stores the secret sealed (AAD: the user id) with its key id, never in clear', async () => {
    const { secret } = await service.ok(MfaRpc.startEnrollment, { userId: 'u1', label: 'ann@example.com' });

    const [started] = await service.store.read(mfaStreamName('u1'));
    expect(started?.type).toBe('MfaEnrollmentStarted');
    const cipher = new SecretCipher({ current: service.config.MFA_ENCRYPTION_KEY! });
    expect(started?.data).toMatchObject({
      secret: {
        keyId: cipher.currentKeyId,
        iv: expect.any(String),
        ciphertext: expect.any(String),
        tag: expect.any(String),
      },
      algorithm: 'SHA1',
      digits: 6,
      period: 30,
      issuer: 'Acme Books',
      label: 'ann@example.com',
    });
    const sealed = started!.data['secret'] as Parameters<SecretCipher['decrypt']>[0];
    expect(cipher.decrypt(sealed, 'u1')).toBe(secret);
    expect(() => cipher.decrypt(sealed, 'u2')).toThrow();
    expect(JSON.stringify(started?.data)).not.toContain(secret);
  });

  it('gives every enrollment its own secret; starting again replaces the pending one', async () => {
    const first = await service.ok(MfaRpc.startEnrollment, { userId: 'u1', label: 'ann@example.com' });
    const second = await service.ok(MfaRpc.startEnrollment, { userId: 'u1', label: 'ann@example.com' });
    expect(second.secret).not.toBe(first.secret);

    const step = currentStep(service);
    const withOld = { userId: 'u1', code1: appCode(first.secret, step - 1), code2: appCode(first.secret, step) };
    expect(await service.call(MfaRpc.activate, withOld)).toMatchObject({ ok: false, error: { code: 'invalid_codes' } });
    const withNew = { userId: 'u1', code1: appCode(second.secret, step - 1), code2: appCode(second.secret, step) };
    expect(await service.call(MfaRpc.activate, withNew)).toMatchObject({ ok: true, value: { status: 'active' } });
  });

  it('is refused while MFA is active', async () => {
    await activeUser(service, 'u1');

    expect(await service.call(MfaRpc.startEnrollment, { userId: 'u1', label: 'ann@example.com' })).toEqual({
      ok: false,
      error: { code: 'mfa_already_active', message: expect.any(String) },
    });
  });

  it('expires after MFA_ENROLLMENT_TTL_SECONDS', async () => {
    const { secret } = await service.ok(MfaRpc.startEnrollment, { userId: 'u1', label: 'ann@example.com' });
    service.clock.advanceSeconds(120);

    expect(await service.ok(MfaRpc.getStatus, { userId: 'u1' })).toEqual({
      status: 'inactive',
      activatedAt: null,
      recoveryCodesRemaining: null,
    });
    const step = currentStep(service);
    expect(
      await service.call(MfaRpc.activate, {
        userId: 'u1',
        code1: appCode(secret, step - 1),
        code2: appCode(secret, step),
      }),
    ).toMatchObject({ ok: false, error: { code: 'no_pending_enrollment' } });
  });

  it.each([
    ['no payload', undefined],
    ['no label', { userId: 'u1' }],
    ['a label that is not an email', { userId: 'u1', label: 'ann' }],
    ['a user id with a slash', { userId: '../u1', label: 'ann@example.com' }],
  ])('answers %s with invalid_payload and records nothing', async (_case, payload) => {
    expect(await service.call(MfaRpc.startEnrollment, payload)).toMatchObject({
      ok: false,
      error: { code: 'invalid_payload' },
    });
    expect(await service.store.read(mfaStreamName('u1'))).toEqual([]);
  });
});

describe('mfa service start-up', () => {
  it('refuses a TOTP_ISSUER with a colon, which the otpauth:// format cannot carry', async () => {
    await expect(startMfaService({ env: { TOTP_ISSUER: 'Acme: Books' } })).rejects.toThrow(
      'TOTP_ISSUER must not contain ":"',
    );
  });
});
