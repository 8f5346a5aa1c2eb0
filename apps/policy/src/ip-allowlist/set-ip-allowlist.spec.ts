import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PolicyRpc } from '#contracts';
import { startServiceUnderTest, type ServiceUnderTest } from '#testing';
import { PolicyModule } from '../policy.module.js';

describe('policy.set-ip-allowlist', () => {
  let policy: ServiceUnderTest;

  beforeAll(async () => {
    policy = await startServiceUnderTest(PolicyModule, { now: new Date('2025-03-01T10:00:00.000Z') });
  });

  afterAll(() => policy.close({ removeData: true }));

  it('sets the normalised ranges and answers the whole policy', async () => {
    expect(
      await policy.call(PolicyRpc.setIpAllowlist, {
        orgId: 'o1',
        cidrs: ['10.1.2.3/8', '2001:DB8::/32', '203.0.113.9'],
        setBy: 'a1',
      }),
    ).toEqual({
      ok: true,
      value: {
        orgId: 'o1',
        ipAllowlist: ['10.0.0.0/8', '2001:db8::/32', '203.0.113.9/32'],
        mfa: { requiredForAll: false, requiredForRoles: [] },
      },
    });
    const [event] = await policy.store.read('org-policy-o1');
    expect(event).toMatchObject({
      type: 'IpAllowlistSet',
      data: { schemaVersion: 1, setBy: 'a1', setAt: '2025-03-01T10:00:00.000Z' },
      metadata: { schemaVersion: 1 },
    });
  });

  it('appends nothing when the list is unchanged', async () => {
    const before = (await policy.store.read('org-policy-o1')).length;
    expect(
      await policy.call(PolicyRpc.setIpAllowlist, {
        orgId: 'o1',
        cidrs: ['10.9.9.9/8', '2001:db8::/32', '203.0.113.9/32'],
        setBy: 'a1',
      }),
    ).toMatchObject({ ok: true });
    expect(await policy.store.read('org-policy-o1')).toHaveLength(before);
  });

  it('refuses an invalid entry with validation_failed naming it, and keeps the policy', async () => {
    expect(
      await policy.call(PolicyRpc.setIpAllowlist, {
        orgId: 'o1',
        cidrs: ['192.168.0.0/16', '300.1.1.1/8'],
        setBy: 'a1',
      }),
    ).toEqual({
      ok: false,
      error: {
        code: 'validation_failed',
        message: '"300.1.1.1/8" is not an IP address or CIDR range',
        details: { field: 'cidrs', entry: '300.1.1.1/8' },
      },
    });
    expect(await policy.call(PolicyRpc.getPolicy, { orgId: 'o1' })).toMatchObject({
      value: { ipAllowlist: ['10.0.0.0/8', '2001:db8::/32', '203.0.113.9/32'] },
    });
  });

  it('lifts the restriction with an empty list', async () => {
    expect(await policy.call(PolicyRpc.setIpAllowlist, { orgId: 'o1', cidrs: [], setBy: 'a1' })).toMatchObject({
      ok: true,
      value: { ipAllowlist: [] },
    });
  });

  it('keeps every concurrent change, in some order (conflicts are retried on the new state)', async () => {
    const results = await Promise.all(
      ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'].map((cidr) =>
        policy.call(PolicyRpc.setIpAllowlist, { orgId: 'o4', cidrs: [cidr], setBy: 'a1' }),
      ),
    );
    expect(results.every((result) => result.ok)).toBe(true);
    expect(await policy.store.read('org-policy-o4')).toHaveLength(3);
  });

  it('answers invalid_payload for a list that is not a list of strings', async () => {
    expect(
      await policy.call(PolicyRpc.setIpAllowlist, { orgId: 'o1', cidrs: '10.0.0.0/8', setBy: 'a1' }),
    ).toMatchObject({
      ok: false,
      error: { code: 'invalid_payload' },
    });
  });
});
