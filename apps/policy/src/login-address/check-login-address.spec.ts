import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PolicyRpc } from '#contracts';
import { startServiceUnderTest, type ServiceUnderTest } from '#testing';
import { PolicyModule } from '../policy.module.js';

describe('policy.check-login-address', () => {
  let policy: ServiceUnderTest;
  const check = (payload: Record<string, unknown>) => policy.call(PolicyRpc.checkLoginAddress, payload);

  beforeAll(async () => {
    policy = await startServiceUnderTest(PolicyModule);
    await policy.ok(PolicyRpc.setIpAllowlist, {
      orgId: 'office',
      cidrs: ['192.0.2.0/24', '2001:db8::/32'],
      setBy: 'a1',
    });
  });

  afterAll(() => policy.close({ removeData: true }));

  it('allows any address of an organisation without an allow-list', async () => {
    expect(await check({ orgId: 'fresh', ip: '203.0.113.7' })).toEqual({ ok: true, value: { allowed: true } });
  });

  it('allows the addresses of the list (IPv4, IPv4-mapped, IPv6) and no other', async () => {
    for (const ip of ['192.0.2.10', '::ffff:192.0.2.10', '2001:db8::1']) {
      expect(await check({ orgId: 'office', ip })).toEqual({ ok: true, value: { allowed: true } });
    }
    for (const ip of ['203.0.113.7', '2001:db9::1', '']) {
      expect(await check({ orgId: 'office', ip })).toEqual({ ok: true, value: { allowed: false } });
    }
  });

  it('answers invalid_payload without an organisation', async () => {
    expect(await check({ ip: '192.0.2.10' })).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
  });
});
