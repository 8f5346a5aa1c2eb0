import { InvalidRoles } from '#contracts';
import { describe, expect, it } from 'vitest';
import { InvalidCidr } from '../ip-allowlist/cidr.js';
import {
  MAX_ALLOWLIST_ENTRIES,
  TooManyCidrs,
  orgPolicyDecider,
  orgPolicyStream,
  type IpAllowlistSet,
  type MfaRequirementSet,
  type OrgPolicyCommand,
  type OrgPolicyEvent,
} from './org-policy.decider.js';

const stateAfter = (...events: OrgPolicyEvent[]) =>
  events.reduce(orgPolicyDecider.evolve, orgPolicyDecider.initialState());
const given = (...events: OrgPolicyEvent[]) => ({
  when: (command: OrgPolicyCommand) => orgPolicyDecider.decide(command, stateAfter(...events)),
});

const now = new Date('2025-03-01T10:00:00.000Z');
const setAt = now.toISOString();
const setIpAllowlist = (cidrs: string[]): OrgPolicyCommand => ({
  type: 'SetIpAllowlist',
  data: { orgId: 'o1', cidrs, setBy: 'admin-1', now },
});
const setMfaRequirement = (requiredForAll: boolean, requiredForRoles: string[]): OrgPolicyCommand => ({
  type: 'SetMfaRequirement',
  data: { orgId: 'o1', requiredForAll, requiredForRoles, setBy: 'admin-1', now },
});
const allowlistSet = (cidrs: string[]): IpAllowlistSet => ({
  type: 'IpAllowlistSet',
  data: { schemaVersion: 1, orgId: 'o1', cidrs, setBy: 'admin-1', setAt },
});
const mfaRequirementSet = (requiredForAll: boolean, requiredForRoles: string[]): MfaRequirementSet => ({
  type: 'MfaRequirementSet',
  data: { schemaVersion: 1, orgId: 'o1', requiredForAll, requiredForRoles, setBy: 'admin-1', setAt },
});

describe('Org policy decider', () => {
  it('names the stream after the organisation', () => {
    expect(orgPolicyStream('o1')).toBe('org-policy-o1');
  });

  it('starts with no IP restriction and MFA optional', () => {
    expect(orgPolicyDecider.initialState()).toEqual({
      ipAllowlist: [],
      mfa: { requiredForAll: false, requiredForRoles: [] },
    });
  });

  describe('SetIpAllowlist', () => {
    it('records the normalised, de-duplicated ranges', () => {
      expect(given().when(setIpAllowlist(['10.1.2.3/8', '2001:DB8::/32', '10.0.0.0/8', '203.0.113.9']))).toEqual([
        allowlistSet(['10.0.0.0/8', '2001:db8::/32', '203.0.113.9/32']),
      ]);
    });

    it('records an empty list, which lifts the restriction', () => {
      expect(given(allowlistSet(['10.0.0.0/8'])).when(setIpAllowlist([]))).toEqual([allowlistSet([])]);
    });

    it('appends nothing when the list is already that list', () => {
      expect(given(allowlistSet(['10.0.0.0/8'])).when(setIpAllowlist(['10.9.9.9/8']))).toEqual([]);
      expect(given().when(setIpAllowlist([]))).toEqual([]);
    });

    it('refuses an invalid entry, naming it', () => {
      expect(() => given().when(setIpAllowlist(['10.0.0.0/8', '300.0.0.1']))).toThrow(InvalidCidr);
      expect(() => given().when(setIpAllowlist(['300.0.0.1']))).toThrow(/300\.0\.0\.1/);
    });

    it(`refuses more than ${MAX_ALLOWLIST_ENTRIES} distinct ranges`, () => {
      const ranges = (count: number) => Array.from({ length: count }, (_, i) => `10.${i >> 8}.${i & 0xff}.0/24`);
      expect(given().when(setIpAllowlist(ranges(MAX_ALLOWLIST_ENTRIES)))).toHaveLength(1);
      expect(() => given().when(setIpAllowlist(ranges(MAX_ALLOWLIST_ENTRIES + 1)))).toThrow(TooManyCidrs);
    });
  });

  describe('SetMfaRequirement', () => {
    it('records the requirement with normalised, de-duplicated roles', () => {
      expect(given().when(setMfaRequirement(false, ['Accounting', ' billing ', 'accounting']))).toEqual([
        mfaRequirementSet(false, ['accounting', 'billing']),
      ]);
    });

    it('records MFA for everyone', () => {
      expect(given().when(setMfaRequirement(true, []))).toEqual([mfaRequirementSet(true, [])]);
    });

    it('appends nothing when the requirement is unchanged', () => {
      expect(given(mfaRequirementSet(false, ['billing'])).when(setMfaRequirement(false, ['BILLING']))).toEqual([]);
      expect(given().when(setMfaRequirement(false, []))).toEqual([]);
    });

    it.each([
      ['an empty role', ['']],
      ['a blank role', ['   ']],
      ['a role with spaces inside', ['tax advisor']],
      ['a role longer than 64 characters', ['r'.repeat(65)]],
      ['more than 32 roles', Array.from({ length: 33 }, (_, i) => `role-${i}`)],
    ])('refuses %s', (_, roles) => {
      expect(() => given().when(setMfaRequirement(false, roles))).toThrow(InvalidRoles);
    });

    it('accepts a 64-character role and 32 roles', () => {
      expect(given().when(setMfaRequirement(false, ['r'.repeat(64)]))).toHaveLength(1);
      expect(
        given().when(
          setMfaRequirement(
            false,
            Array.from({ length: 32 }, (_, i) => `role-${i}`),
          ),
        ),
      ).toHaveLength(1);
    });
  });

  it('evolves each part of the policy independently', () => {
    expect(
      stateAfter(
        allowlistSet(['10.0.0.0/8']),
        mfaRequirementSet(false, ['accounting']),
        allowlistSet(['192.168.0.0/16']),
      ),
    ).toEqual({ ipAllowlist: ['192.168.0.0/16'], mfa: { requiredForAll: false, requiredForRoles: ['accounting'] } });
  });
});
