import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTEGRATION_TOPICS, PolicyRpc, type IntegrationEvent } from '#contracts';
import type { RecordedEvent } from '#event-store';
import { processBus } from '#messaging';
import { startServiceUnderTest, type ServiceUnderTest } from '#testing';
import { PolicyModule } from '../policy.module.js';
import { toPolicyIntegrationEvent } from './org-policy.public.js';

const recorded = (stream: string, type: string, data: Record<string, unknown>): RecordedEvent => ({
  id: 'e1',
  stream,
  revision: 3,
  position: 7n,
  type,
  data,
  metadata: {},
  recordedAt: new Date('2025-03-01T10:00:00.000Z'),
});
const allowlistSet = {
  schemaVersion: 1,
  orgId: 'o1',
  cidrs: ['10.0.0.0/8'],
  setBy: 'a1',
  setAt: '2025-03-01T10:00:00.000Z',
};

describe('toPolicyIntegrationEvent', () => {
  it('publishes a policy change keyed by its organisation', () => {
    expect(
      toPolicyIntegrationEvent(recorded('org-policy-o1', 'IpAllowlistSet', { ...allowlistSet, internal: 'x' })),
    ).toEqual({
      eventId: 'e1',
      type: 'IpAllowlistSet',
      schemaVersion: 1,
      aggregateId: 'o1',
      orgId: 'o1',
      occurredAt: '2025-03-01T10:00:00.000Z',
      source: { stream: 'org-policy-o1', revision: 3, position: '7' },
      data: allowlistSet,
    });
  });

  it.each([
    ['a relay checkpoint', recorded('relay_checkpoint-policy', 'RelayCheckpointed', { position: '6' })],
    ['a snapshot', recorded('org_snapshot-policy-o1', 'Snapshot', { version: 1, state: {} })],
    ['a policy event outside its stream', recorded('org-policy-o2', 'IpAllowlistSet', allowlistSet)],
    ['an unknown type', recorded('org-policy-o1', 'toString', allowlistSet)],
  ])('does not publish %s', (_, event) => {
    expect(toPolicyIntegrationEvent(event)).toBeNull();
  });
});

describe('policy relay', () => {
  let policy: ServiceUnderTest;
  const published: IntegrationEvent[] = [];

  beforeAll(async () => {
    processBus.subscribe(INTEGRATION_TOPICS.policy, async (event) => {
      published.push(event as IntegrationEvent);
    });
    policy = await startServiceUnderTest(PolicyModule);
  });

  afterAll(async () => {
    await policy.close({ removeData: true });
    processBus.remove(INTEGRATION_TOPICS.policy);
  });

  it('publishes a change on auth.policy.events from the store', async () => {
    await policy.ok(PolicyRpc.setIpAllowlist, { orgId: 'o9', cidrs: ['10.0.0.0/8'], setBy: 'a1' });
    await expect.poll(() => published.map((event) => event.aggregateId)).toContain('o9');
    expect(published.find((event) => event.aggregateId === 'o9')).toMatchObject({
      type: 'IpAllowlistSet',
      source: { stream: 'org-policy-o9', revision: 0 },
      data: { cidrs: ['10.0.0.0/8'], setBy: 'a1' },
    });
  });

  it('does not publish an event that breaks its contract: logs where it is, counts it in health, and moves on', async () => {
    // A bug's event (a public form or a contract out of step): here a stored address that is no string.
    await policy.store.append(
      'org-policy-o8',
      [{ id: crypto.randomUUID(), type: 'IpAllowlistSet', data: { ...allowlistSet, orgId: 'o8', cidrs: [42] } }],
      'no_stream',
    );
    await policy.ok(PolicyRpc.setIpAllowlist, { orgId: 'o7', cidrs: ['10.0.0.0/8'], setBy: 'a1' });
    await expect.poll(() => published.map((event) => event.aggregateId)).toContain('o7');
    expect(published.map((event) => event.aggregateId)).not.toContain('o8');
    expect(policy.logs()).toMatch(
      /IpAllowlistSet v1 of org-policy-o8 at revision 0 \(position \d+\) breaks its contract and is not published: data\.cidrs\.0: invalid_type/,
    );
    const health = await policy.ok(PolicyRpc.checkHealth, {});
    expect(health.relay).toMatchObject({ state: 'running', lag: 0, invalid: 1 });
  });
});
