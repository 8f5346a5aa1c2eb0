import { describe, expect, it } from 'vitest';
import type { OrgPolicyState } from '../org-policy/org-policy.decider.js';
import { evaluateLogin } from './evaluate-login.js';

const policy = (ipAllowlist: string[], requiredForAll = false, requiredForRoles: string[] = []): OrgPolicyState => ({
  ipAllowlist,
  mfa: { requiredForAll, requiredForRoles },
});

describe('evaluateLogin', () => {
  describe('IP allow-list', () => {
    it('lets any address in when the list is empty, even one that does not parse', () => {
      expect(evaluateLogin(policy([]), { roles: [], ip: '198.51.100.7', mfaActive: false }).allowed).toBe(true);
      expect(evaluateLogin(policy([]), { roles: [], ip: 'unknown', mfaActive: false }).allowed).toBe(true);
    });

    it('lets an address of a listed range in', () => {
      expect(evaluateLogin(policy(['10.0.0.0/8']), { roles: [], ip: '10.2.3.4', mfaActive: false })).toEqual({
        allowed: true,
        mfaRequired: false,
        enrollmentRequired: false,
      });
    });

    it('lets an IPv4-mapped IPv6 client of a listed IPv4 range in', () => {
      expect(
        evaluateLogin(policy(['10.0.0.0/8']), { roles: [], ip: '::ffff:10.2.3.4', mfaActive: false }).allowed,
      ).toBe(true);
    });

    it('refuses an address outside every range with ip_not_allowed, before looking at MFA', () => {
      expect(evaluateLogin(policy(['10.0.0.0/8'], true), { roles: [], ip: '11.0.0.1', mfaActive: true })).toEqual({
        allowed: false,
        reason: 'ip_not_allowed',
      });
    });

    it('refuses an address that does not parse when a list is set', () => {
      expect(evaluateLogin(policy(['0.0.0.0/0', '::/0']), { roles: [], ip: '', mfaActive: false })).toEqual({
        allowed: false,
        reason: 'ip_not_allowed',
      });
    });
  });

  describe('MFA requirement truth table', () => {
    const ip = '203.0.113.5';
    it.each([
      // requiredForAll, requiredForRoles, user roles, mfaActive → mfaRequired, enrollmentRequired
      [false, [], ['accounting'], false, false, false],
      [false, [], ['accounting'], true, false, false],
      [false, ['accounting'], ['accounting'], false, true, true],
      [false, ['accounting'], ['accounting'], true, true, false],
      [false, ['accounting'], ['admin', 'billing'], false, false, false],
      [false, ['accounting', 'billing'], ['admin', 'billing'], false, true, true],
      [false, ['accounting'], [], false, false, false],
      [false, ['accounting'], ['Accounting'], false, true, true],
      [true, [], [], false, true, true],
      [true, [], [], true, true, false],
      [true, ['billing'], ['admin'], true, true, false],
    ] as const)(
      'requiredForAll=%s requiredForRoles=%j roles=%j mfaActive=%s → mfaRequired=%s enrollmentRequired=%s',
      (requiredForAll, requiredForRoles, roles, mfaActive, mfaRequired, enrollmentRequired) => {
        expect(evaluateLogin(policy([], requiredForAll, [...requiredForRoles]), { roles, ip, mfaActive })).toEqual({
          allowed: true,
          mfaRequired,
          enrollmentRequired,
        });
      },
    );
  });
});
