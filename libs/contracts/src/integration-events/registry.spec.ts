import { describe, expect, it } from 'vitest';
import type { IntegrationEvent } from '../integration-events.js';
import { contractViolationsOf, INTEGRATION_EVENT_CONTRACTS, readIntegrationEvent } from './registry.js';

const contracts = Object.values(INTEGRATION_EVENT_CONTRACTS).flatMap((versions) => Object.values(versions));
const example = (type: keyof typeof INTEGRATION_EVENT_CONTRACTS) =>
  Object.values(INTEGRATION_EVENT_CONTRACTS[type])[0]!.example as unknown as IntegrationEvent;

describe('the integration event contracts', () => {
  it.each(contracts.map((contract) => [`${contract.type} v${contract.schemaVersion}`, contract] as const))(
    '%s: its example is an event of its type and version as the contract says',
    (_, contract) => {
      expect(contract.example).toMatchObject({ type: contract.type, schemaVersion: contract.schemaVersion });
      expect(contractViolationsOf(contract.example as unknown as IntegrationEvent)).toEqual([]);
      expect(readIntegrationEvent(contract.example)).toEqual({ outcome: 'known', event: contract.example });
    },
  );

  it('names what is wrong by path and issue, never by value', () => {
    const event = example('RecoveryCodeUsed');
    const broken = { ...event, data: { ...event.data, remaining: 'JBSWY3DPEHPK3PXP' } };
    expect(contractViolationsOf(broken)).toEqual(['data.remaining: invalid_type']);
    expect(readIntegrationEvent(broken)).toEqual({ outcome: 'invalid', problems: 'data.remaining: invalid_type' });
  });

  it('refuses on the way out a field the contract does not name, however deep', () => {
    const event = example('MfaChallengeFailed');
    const leaking = {
      ...event,
      data: { ...event.data, secret: 'x', context: { ip: '203.0.113.9', userAgent: 'ua', code: '123456' } },
    };
    expect(contractViolationsOf(leaking)).toEqual([
      'data.context.code: not in the contract',
      'data.secret: not in the contract',
    ]);
  });

  it('reads on the way in only the fields the contract names (a consumer ignores what it does not know)', () => {
    const event = example('UserLocked');
    const read = readIntegrationEvent({ ...event, data: { ...event.data, addedLater: true } });
    expect(read).toEqual({ outcome: 'known', event });
  });

  it('tells a type or a version it does not know from a broken event', () => {
    const event = example('UserLocked');
    expect(readIntegrationEvent({ ...event, type: 'SomethingNew' })).toEqual({ outcome: 'unknown', unknown: 'type' });
    expect(readIntegrationEvent({ ...event, schemaVersion: 7 })).toEqual({ outcome: 'unknown', unknown: 'version' });
    expect(contractViolationsOf({ ...event, schemaVersion: 7 })).toEqual(['UserLocked v7: no contract']);
    const { userId: _userId, ...withoutUser } = event;
    expect(readIntegrationEvent(withoutUser)).toEqual({ outcome: 'invalid', problems: 'userId: invalid_type' });
    expect(readIntegrationEvent({ type: 'UserLocked' })).toMatchObject({ outcome: 'invalid' });
  });
});
