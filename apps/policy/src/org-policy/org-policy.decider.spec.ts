import { describe, expect, it } from 'vitest';
import { InvalidRoles } from '#contracts';
import { deciderSpec } from '#testing';
import type { OrgPolicyCommand } from './org-policy.commands.js';
import { MAX_ALLOWLIST_ENTRIES, orgPolicyDecider } from './org-policy.decider.js';
import { InvalidCidr, TooManyCidrs } from './org-policy.errors.js';
import { orgPolicyStream, type IpAllowlistSet, type MfaRequirementSet } from './org-policy.events.js';

const { given } = deciderSpec(orgPolicyDecider);

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
  data: { orgId: 'o1', cidrs, setBy: 'admin-1', setAt },
});
const mfaRequirementSet = (requiredForAll: boolean, requiredForRoles: string[]): MfaRequirementSet => ({
  type: 'MfaRequirementSet',
  data: { orgId: 'o1', requiredForAll, requiredForRoles, setBy: 'admin-1', setAt },
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
      given()
        .when(setIpAllowlist(['10.1.2.3/8', '2001:DB8::/32', '10.0.0.0/8', '203.0.113.9']))
        .then([allowlistSet(['10.0.0.0/8', '2001:db8::/32', '203.0.113.9/32'])]);
    });

    it('records an empty list, which lifts the restriction', () => {
      given(allowlistSet(['10.0.0.0/8']))
        .when(setIpAllowlist([]))
        .then([allowlistSet([])]);
    });

    it('appends nothing when the list is already that list', () => {
      given(allowlistSet(['10.0.0.0/8']))
        .when(setIpAllowlist(['10.9.9.9/8']))
        .thenNothingHappened();
      given().when(setIpAllowlist([])).thenNothingHappened();
    });

    it('refuses an invalid entry, naming it', () => {
      given()
        .when(setIpAllowlist(['10.0.0.0/8', '300.0.0.1']))
        .thenThrows(InvalidCidr, 'validation_failed');
      expect(() =>
        given()
          .when(setIpAllowlist(['300.0.0.1']))
          .events(),
      ).toThrow(/300\.0\.0\.1/);
    });

    it(`refuses more than ${MAX_ALLOWLIST_ENTRIES} distinct ranges`, () => {
      const ranges = (count: number) => Array.from({ length: count }, (_, i) => `10.${i >> 8}.${i & 0xff}.0/24`);
      expect(
        given()
          .when(setIpAllowlist(ranges(MAX_ALLOWLIST_ENTRIES)))
          .events(),
      ).toHaveLength(1);
      given()
        .when(setIpAllowlist(ranges(MAX_ALLOWLIST_ENTRIES + 1)))
        .thenThrows(TooManyCidrs, 'validation_failed');
    });
  });

  describe('SetMfaRequirement', () => {
    it('records the requirement with normalised, de-duplicated roles', () => {
      given()
        .when(setMfaRequirement(false, ['Accounting', ' billing ', 'accounting']))
        .then([mfaRequirementSet(false, ['accounting', 'billing'])]);
    });

    it('records MFA for everyone', () => {
      given()
        .when(setMfaRequirement(true, []))
        .then([mfaRequirementSet(true, [])]);
    });

    it('appends nothing when the requirement is unchanged', () => {
      given(mfaRequirementSet(false, ['billing']))
        .when(setMfaRequirement(false, ['BILLING']))
        .thenNothingHappened();
      given().when(setMfaRequirement(false, [])).thenNothingHappened();
    });

    it.each([
      ['an empty role', ['']],
      ['a blank role', ['   ']],
      ['a role with spaces inside', ['tax advisor']],
      ['a role longer than 64 characters', ['r'.repeat(65)]],
      ['more than 32 roles', Array.from({ length: 33 }, (_, i) => `role-${i}`)],
    ])('refuses %s', (_, roles) => {
      given().when(setMfaRequirement(false, roles)).thenThrows(InvalidRoles);
    });

    it('accepts a 64-character role and 32 roles', () => {
      expect(
        given()
          .when(setMfaRequirement(false, ['r'.repeat(64)]))
          .events(),
      ).toHaveLength(1);
      const thirtyTwoRoles = Array.from({ length: 32 }, (_, i) => `role-${i}`);
      expect(given().when(setMfaRequirement(false, thirtyTwoRoles)).events()).toHaveLength(1);
    });
  });

  it('evolves each part of the policy independently', () => {
    expect(
      given(allowlistSet(['10.0.0.0/8']), mfaRequirementSet(false, ['accounting']))
        .when(setIpAllowlist(['192.168.0.0/16']))
        .state(),
    ).toEqual({ ipAllowlist: ['192.168.0.0/16'], mfa: { requiredForAll: false, requiredForRoles: ['accounting'] } });
  });
});
