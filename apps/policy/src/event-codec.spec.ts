import { describe, expect, it } from 'vitest';
import { UnknownEventType, UnsupportedSchemaVersion } from './event-codec.js';
import { orgPolicyEventCodec } from './org-policy/org-policy.repository.js';

const stored = (type: string, data: Record<string, unknown>) => ({ stream: 'org-policy-o1', type, data });
const data = { schemaVersion: 1, orgId: 'o1', cidrs: [], setBy: 'a1', setAt: '2025-03-01T10:00:00.000Z' };

describe('org policy event codec', () => {
  it('round-trips an event, its version in the payload and the metadata', () => {
    const encoded = orgPolicyEventCodec.encode({ type: 'IpAllowlistSet', data: { ...data, schemaVersion: 1 } });
    expect(encoded).toEqual({ type: 'IpAllowlistSet', data, metadata: { schemaVersion: 1 } });
    expect(orgPolicyEventCodec.upcast({ stream: 'org-policy-o1', ...encoded })).toEqual({
      type: 'IpAllowlistSet',
      data,
    });
  });

  it('refuses an unknown type', () => {
    expect(() => orgPolicyEventCodec.upcast(stored('PolicyDeleted', data))).toThrow(UnknownEventType);
    expect(() => orgPolicyEventCodec.upcast(stored('hasOwnProperty', data))).toThrow(UnknownEventType);
  });

  it.each([undefined, 0, 2, '1'])('refuses schemaVersion %j', (schemaVersion) => {
    expect(() => orgPolicyEventCodec.upcast(stored('MfaRequirementSet', { ...data, schemaVersion }))).toThrow(
      UnsupportedSchemaVersion,
    );
  });
});
