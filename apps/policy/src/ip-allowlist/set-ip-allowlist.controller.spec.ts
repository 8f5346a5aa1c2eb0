import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_STORE, type EventStore } from '#event-store';
import { GetPolicyController } from '../org-policy/get-policy.controller.js';
import { startPolicy, type RunningPolicy } from '../policy.testing.js';
import { SetIpAllowlistController } from './set-ip-allowlist.controller.js';

describe('policy.set-ip-allowlist', () => {
  let policy: RunningPolicy;
  let allowlist: SetIpAllowlistController;
  let store: EventStore;

  beforeAll(async () => {
    policy = await startPolicy();
    allowlist = policy.module.get(SetIpAllowlistController);
    store = policy.module.get(EVENT_STORE);
  });

  afterAll(() => policy.stop());

  it('sets the normalised ranges and answers the whole policy', async () => {
    expect(
      await allowlist.setIpAllowlist({
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
    const [event] = await store.read('org-policy-o1');
    expect(event).toMatchObject({
      type: 'IpAllowlistSet',
      data: { schemaVersion: 1, setBy: 'a1' },
      metadata: { schemaVersion: 1 },
    });
  });

  it('appends nothing when the list is unchanged', async () => {
    const before = (await store.read('org-policy-o1')).length;
    expect(
      await allowlist.setIpAllowlist({
        orgId: 'o1',
        cidrs: ['10.9.9.9/8', '2001:db8::/32', '203.0.113.9/32'],
        setBy: 'a1',
      }),
    ).toMatchObject({ ok: true });
    expect(await store.read('org-policy-o1')).toHaveLength(before);
  });

  it('refuses an invalid entry with validation_failed naming it, and keeps the policy', async () => {
    expect(
      await allowlist.setIpAllowlist({ orgId: 'o1', cidrs: ['192.168.0.0/16', '300.1.1.1/8'], setBy: 'a1' }),
    ).toEqual({
      ok: false,
      error: {
        code: 'validation_failed',
        message: '"300.1.1.1/8" is not an IP address or CIDR range',
        details: { field: 'cidrs', entry: '300.1.1.1/8' },
      },
    });
    expect(await policy.module.get(GetPolicyController).getPolicy({ orgId: 'o1' })).toMatchObject({
      value: { ipAllowlist: ['10.0.0.0/8', '2001:db8::/32', '203.0.113.9/32'] },
    });
  });

  it('lifts the restriction with an empty list', async () => {
    expect(await allowlist.setIpAllowlist({ orgId: 'o1', cidrs: [], setBy: 'a1' })).toMatchObject({
      ok: true,
      value: { ipAllowlist: [] },
    });
  });

  it('keeps every concurrent change, in some order (conflicts are retried on the new state)', async () => {
    const results = await Promise.all(
      ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'].map((cidr) =>
        allowlist.setIpAllowlist({ orgId: 'o4', cidrs: [cidr], setBy: 'a1' }),
      ),
    );
    expect(results.every((result) => result.ok)).toBe(true);
    expect(await store.read('org-policy-o4')).toHaveLength(3);
  });

  it('answers invalid_payload for a list that is not a list of strings', async () => {
    expect(await allowlist.setIpAllowlist({ orgId: 'o1', cidrs: '10.0.0.0/8', setBy: 'a1' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_payload' },
    });
  });
});
