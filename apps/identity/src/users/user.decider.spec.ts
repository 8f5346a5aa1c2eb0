import { describe, expect, it } from 'vitest';
import { InvalidRoles } from '#contracts';
import { deciderSpec } from '#testing';
import { normaliseEmail } from '../email-reservation/email.js';
import type { UserCommand } from './user.commands.js';
import { rejectionOf, userDecider } from './user.decider.js';
import { AccountLocked, IpNotAllowed, TooManyAttempts } from '../password-attempts/password-attempts.errors.js';
import { InvalidCredentials, OwnRolesUnchangeable, UserAlreadyExists, UserNotFound } from './user.errors.js';
import { userStream, type PasswordCheckFailed, type UserEvent, type UserRegistered } from './user.events.js';

const { given } = deciderSpec(userDecider);

const now = new Date('2025-03-01T10:00:00.000Z');
const later = new Date('2025-03-02T08:30:00.000Z');
const email = normaliseEmail('Ann@Example.org');
const passwordHash = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g';
const newPasswordHash = '$argon2id$v=19$m=19456,t=2,p=1$bmV3c2FsdG5ld3NhbHQ$bmV3aGFzaG5ld2hhc2huZXdoYXNobmV3aGFzaG5ldw';

const register: UserCommand = {
  type: 'RegisterUser',
  data: { userId: 'u1', orgId: 'o1', email, passwordHash, roles: ['accounting'], passwordChangeRequired: true, now },
};

const registered: UserRegistered = {
  type: 'UserRegistered',
  data: {
    userId: 'u1',
    orgId: 'o1',
    email,
    passwordHash,
    roles: ['accounting'],
    passwordChangeRequired: true,
    registeredAt: '2025-03-01T10:00:00.000Z',
  },
};

describe('User decider', () => {
  it('names the stream after the user', () => {
    expect(userStream('u1')).toBe('user-u1');
  });

  describe('RegisterUser', () => {
    it('registers a new user, with the time from the command', () => {
      given().when(register).then([registered]);
    });

    it('normalises the roles', () => {
      given()
        .when({ ...register, data: { ...register.data, roles: [' Admin', 'admin', 'billing'] } })
        .then([{ ...registered, data: { ...registered.data, roles: ['admin', 'billing'] } }]);
    });

    it('refuses invalid roles', () => {
      given()
        .when({ ...register, data: { ...register.data, roles: [''] } })
        .thenThrows(InvalidRoles);
      given()
        .when({ ...register, data: { ...register.data, roles: ['acc ounting'] } })
        .thenThrows(InvalidRoles);
    });

    it('refuses an existing user id', () => {
      given(registered).when(register).thenThrows(UserAlreadyExists);
    });

    it('refuses anything but an argon2id hash, so a plaintext password cannot be stored by mistake', () => {
      expect(() =>
        given()
          .when({ ...register, data: { ...register.data, passwordHash: 'correct horse battery staple' } })
          .events(),
      ).toThrow(/argon2id/);
    });
  });

  describe('ChangeUserRoles', () => {
    const change = (roles: string[], admin = { adminId: 'admin-1', adminOrgId: 'o1' }): UserCommand => ({
      type: 'ChangeUserRoles',
      data: { ...admin, roles, now: later },
    });

    it('records the new roles', () => {
      given(registered)
        .when(change(['billing', 'Accounting']))
        .then([
          {
            type: 'UserRolesChanged',
            data: {
              userId: 'u1',
              roles: ['billing', 'accounting'],
              changedBy: 'admin-1',
              changedAt: '2025-03-02T08:30:00.000Z',
            },
          },
        ]);
    });

    it('appends nothing when the roles are already those', () => {
      given(registered)
        .when(change(['accounting']))
        .thenNothingHappened();
    });

    it('refuses an unknown user with not_found', () => {
      given()
        .when(change(['billing']))
        .thenThrows(UserNotFound, 'not_found');
    });

    it('answers not_found to an admin of another organisation (its users do not exist for them)', () => {
      given(registered)
        .when(change(['billing'], { adminId: 'admin-2', adminOrgId: 'o2' }))
        .thenThrows(UserNotFound, 'not_found');
    });

    it("refuses an admin's change of their own roles, even to the same ones", () => {
      given(registered)
        .when(change(['accounting'], { adminId: 'u1', adminOrgId: 'o1' }))
        .thenThrows(OwnRolesUnchangeable, 'forbidden');
    });

    it('refuses a role name that is not one, with validation_failed', () => {
      given(registered)
        .when(change(['Not A Role']))
        .thenThrows(InvalidRoles, 'validation_failed');
    });
  });

  describe('ChangePassword', () => {
    const changePassword = (verifiedHash: string, newHash = newPasswordHash): UserCommand => ({
      type: 'ChangePassword',
      data: { verifiedHash, passwordHash: newHash, now: later },
    });

    it('records the new hash, with the time from the command', () => {
      given(registered)
        .when(changePassword(passwordHash))
        .then([
          {
            type: 'UserPasswordChanged',
            data: { userId: 'u1', passwordHash: newPasswordHash, changedAt: '2025-03-02T08:30:00.000Z' },
          },
        ]);
    });

    it('makes the new hash the one to verify against', () => {
      expect(given(registered).when(changePassword(passwordHash)).state()).toMatchObject({
        status: 'registered',
        passwordHash: newPasswordHash,
      });
    });

    it('refuses a proof of a password that is no longer the current one (a concurrent change)', () => {
      const changed: UserEvent = {
        type: 'UserPasswordChanged',
        data: { userId: 'u1', passwordHash: newPasswordHash, changedAt: later.toISOString() },
      };
      given(registered, changed)
        .when(changePassword(passwordHash))
        .thenThrows(InvalidCredentials, 'invalid_credentials');
    });

    it('refuses an unknown user with not_found', () => {
      given().when(changePassword(passwordHash)).thenThrows(UserNotFound, 'not_found');
    });

    it("clears the admin's requirement to change it, and the failed passwords before", () => {
      const failedOnce: UserEvent = {
        type: 'PasswordCheckFailed',
        data: { userId: 'u1', reason: 'wrong_password', ip: '::1', userAgent: '', failedAt: now.toISOString() },
      };
      expect(given(registered, failedOnce).when(changePassword(passwordHash)).state()).toMatchObject({
        passwordChangeRequired: false,
        failures: { consecutive: 0, locked: false },
      });
    });

    it('refuses a locked user: only an admin lifts a lock', () => {
      const lock: UserEvent = { type: 'UserLocked', data: { userId: 'u1', lockedAt: now.toISOString() } };
      given(registered, lock).when(changePassword(passwordHash)).thenThrows(AccountLocked, 'account_locked');
    });

    it('refuses anything but an argon2id hash', () => {
      expect(() => given(registered).when(changePassword(passwordHash, 'new plaintext password')).events()).toThrow(
        /argon2id/,
      );
    });
  });

  describe('CheckPassword (per-account throttling: 5 failures start a delay, 100 lock)', () => {
    const context = { ip: '203.0.113.7', userAgent: 'spec-agent/1.0' };
    const at = (iso: string) => new Date(iso);
    const check = (outcome: 'wrong_password' | 'ip_not_allowed', now: Date): UserCommand => ({
      type: 'CheckPassword',
      data: { check: { outcome }, context, now },
    });
    const matched = (now: Date, verifiedHash = passwordHash): UserCommand => ({
      type: 'CheckPassword',
      data: { check: { outcome: 'matched', verifiedHash }, context, now },
    });
    const failed = (failedAt: string, reason: 'wrong_password' | 'ip_not_allowed' = 'wrong_password') =>
      ({
        type: 'PasswordCheckFailed',
        data: { userId: 'u1', reason, ...context, failedAt },
      }) satisfies PasswordCheckFailed;
    /** `count` failures an hour apart, the last at `lastAt`: no delay was running at any of them. */
    const failures = (count: number, lastAt = '2025-03-10T12:00:00.000Z'): PasswordCheckFailed[] =>
      Array.from({ length: count }, (_, index) =>
        failed(new Date(Date.parse(lastAt) - (count - 1 - index) * 3_600_000).toISOString()),
      );
    const locked: UserEvent = { type: 'UserLocked', data: { userId: 'u1', lockedAt: '2025-03-10T12:00:00.000Z' } };

    it('records nothing for a right password when nothing failed before', () => {
      given(registered).when(matched(later)).thenNothingHappened();
    });

    it('records a wrong password with the reason, where it came from and when', () => {
      given(registered)
        .when(check('wrong_password', later))
        .then([failed('2025-03-02T08:30:00.000Z')]);
    });

    it('records an attempt from an address the allow-list refuses as a failure, its password not looked at', () => {
      given(registered)
        .when(check('ip_not_allowed', later))
        .then([failed('2025-03-02T08:30:00.000Z', 'ip_not_allowed')]);
    });

    it('counts both reasons toward the delay', () => {
      const mixed = [...failures(3), failed('2025-03-10T12:30:00.000Z', 'ip_not_allowed')];
      expect(
        given(registered, ...mixed)
          .when(check('ip_not_allowed', at('2025-03-10T13:00:00.000Z')))
          .state(),
      ).toMatchObject({ failures: { consecutive: 5, lastFailedAt: '2025-03-10T13:00:00.000Z', locked: false } });
    });

    it('resets the count with a right password after failures, recorded once', () => {
      const scenario = given(registered, ...failures(3)).when(matched(at('2025-03-10T12:00:01.000Z')));
      scenario.then([
        {
          type: 'PasswordCheckSucceeded',
          data: { userId: 'u1', ...context, succeededAt: '2025-03-10T12:00:01.000Z' },
        },
      ]);
      expect(scenario.state()).toMatchObject({ failures: { consecutive: 0, lastFailedAt: null, locked: false } });
    });

    it('takes a match against a hash that has changed since for a wrong password (a concurrent change)', () => {
      given(registered)
        .when(matched(later, newPasswordHash))
        .then([failed('2025-03-02T08:30:00.000Z')]);
    });

    it('lets four failures in a row be retried at once', () => {
      given(registered, ...failures(4))
        .when(check('wrong_password', at('2025-03-10T12:00:00.001Z')))
        .then([failed('2025-03-10T12:00:00.001Z')]);
    });

    it('refuses any attempt within a second of the fifth failure, right password or not, recording nothing', () => {
      const scenario = given(registered, ...failures(5));
      scenario.when(matched(at('2025-03-10T12:00:00.500Z'))).thenThrows(TooManyAttempts, 'too_many_attempts');
      scenario.when(check('wrong_password', at('2025-03-10T12:00:00.999Z'))).thenThrows(TooManyAttempts);
      expect(() => scenario.when(matched(at('2025-03-10T12:00:00.200Z'))).events()).toThrow(
        expect.objectContaining({ details: { retryAfterSeconds: 1 } }),
      );
      scenario.when(matched(at('2025-03-10T12:00:01.000Z'))).then([
        {
          type: 'PasswordCheckSucceeded',
          data: { userId: 'u1', ...context, succeededAt: '2025-03-10T12:00:01.000Z' },
        },
      ]);
    });

    it('doubles the delay with each further failure: 2 s after the sixth, 4 s after the seventh', () => {
      const sixth = given(registered, ...failures(6));
      sixth.when(check('wrong_password', at('2025-03-10T12:00:01.999Z'))).thenThrows(TooManyAttempts);
      sixth.when(check('wrong_password', at('2025-03-10T12:00:02.000Z'))).then([failed('2025-03-10T12:00:02.000Z')]);
      expect(() =>
        given(registered, ...failures(7))
          .when(matched(at('2025-03-10T12:00:00.000Z')))
          .events(),
      ).toThrow(expect.objectContaining({ details: { retryAfterSeconds: 4 } }));
    });

    it('caps the delay at an hour', () => {
      const scenario = given(registered, ...failures(40));
      expect(() => scenario.when(matched(at('2025-03-10T12:00:00.000Z'))).events()).toThrow(
        expect.objectContaining({ details: { retryAfterSeconds: 3600 } }),
      );
      scenario.when(matched(at('2025-03-10T13:00:00.000Z'))).then([
        {
          type: 'PasswordCheckSucceeded',
          data: { userId: 'u1', ...context, succeededAt: '2025-03-10T13:00:00.000Z' },
        },
      ]);
    });

    it('locks with the hundredth failure in a row', () => {
      given(registered, ...failures(99))
        .when(check('ip_not_allowed', at('2025-03-10T13:00:00.000Z')))
        .then([
          failed('2025-03-10T13:00:00.000Z', 'ip_not_allowed'),
          { type: 'UserLocked', data: { userId: 'u1', lockedAt: '2025-03-10T13:00:00.000Z' } },
        ]);
    });

    it('refuses even the right password once locked, however long after, recording nothing', () => {
      given(registered, ...failures(100), locked)
        .when(matched(at('2026-01-01T00:00:00.000Z')))
        .thenThrows(AccountLocked, 'account_locked');
    });

    it('refuses an unknown user with not_found', () => {
      given().when(check('wrong_password', later)).thenThrows(UserNotFound, 'not_found');
    });

    it('answers a recorded failure as what it stands for, and a success with nothing', () => {
      expect(rejectionOf([failed('2025-03-10T12:00:00.000Z')])).toBeInstanceOf(InvalidCredentials);
      expect(rejectionOf([failed('2025-03-10T12:00:00.000Z', 'ip_not_allowed')])).toBeInstanceOf(IpNotAllowed);
      expect(rejectionOf([failed('2025-03-10T12:00:00.000Z'), locked])).toBeInstanceOf(InvalidCredentials);
      expect(rejectionOf([])).toBeNull();
    });
  });

  describe('RehashPassword', () => {
    const rehash = (verifiedHash: string, newHash = newPasswordHash): UserCommand => ({
      type: 'RehashPassword',
      data: { verifiedHash, passwordHash: newHash, now: later },
    });

    it('records the new hash of the proven password', () => {
      const scenario = given(registered).when(rehash(passwordHash));
      scenario.then([
        {
          type: 'PasswordRehashed',
          data: { userId: 'u1', passwordHash: newPasswordHash, rehashedAt: '2025-03-02T08:30:00.000Z' },
        },
      ]);
      expect(scenario.state()).toMatchObject({ passwordHash: newPasswordHash });
    });

    it('records nothing when the password changed in the meantime', () => {
      const changed: UserEvent = {
        type: 'UserPasswordChanged',
        data: { userId: 'u1', passwordHash: newPasswordHash, changedAt: later.toISOString() },
      };
      given(registered, changed).when(rehash(passwordHash, passwordHash)).thenNothingHappened();
    });

    it('refuses anything but an argon2id hash', () => {
      expect(() => given(registered).when(rehash(passwordHash, 'plaintext')).events()).toThrow(/argon2id/);
    });
  });

  describe('admin actions: UnlockUser and SetPasswordByAdmin', () => {
    const admin = { adminId: 'admin-1', adminOrgId: 'o1', now: later };
    const fiveFailures = Array.from({ length: 5 }, (): UserEvent => ({
      type: 'PasswordCheckFailed',
      data: { userId: 'u1', reason: 'wrong_password', ip: '::1', userAgent: '', failedAt: later.toISOString() },
    }));
    const lock: UserEvent = { type: 'UserLocked', data: { userId: 'u1', lockedAt: later.toISOString() } };
    const unlock = (by = admin): UserCommand => ({
      type: 'UnlockUser',
      data: { ...by, reason: 'called the helpdesk' },
    });
    const setPassword = (by = admin): UserCommand => ({
      type: 'SetPasswordByAdmin',
      data: { ...by, passwordHash: newPasswordHash },
    });

    it('unlocks a locked user, recording who and why, and the count starts again', () => {
      const scenario = given(registered, ...fiveFailures, lock).when(unlock());
      scenario.then([
        {
          type: 'UserUnlocked',
          data: {
            userId: 'u1',
            unlockedBy: 'admin-1',
            reason: 'called the helpdesk',
            unlockedAt: '2025-03-02T08:30:00.000Z',
          },
        },
      ]);
      expect(scenario.state()).toMatchObject({ failures: { consecutive: 0, lastFailedAt: null, locked: false } });
    });

    it('lifts a running delay too, and records nothing for a user with no failures', () => {
      expect(
        given(registered, ...fiveFailures)
          .when(unlock())
          .events(),
      ).toHaveLength(1);
      given(registered).when(unlock()).thenNothingHappened();
    });

    it('sets a new password that must be changed at the next sign-in, lifting a lock', () => {
      const scenario = given(registered, ...fiveFailures, lock).when(setPassword());
      scenario.then([
        {
          type: 'UserPasswordSetByAdmin',
          data: { userId: 'u1', passwordHash: newPasswordHash, setBy: 'admin-1', setAt: '2025-03-02T08:30:00.000Z' },
        },
      ]);
      expect(scenario.state()).toMatchObject({
        passwordHash: newPasswordHash,
        passwordChangeRequired: true,
        failures: { consecutive: 0, locked: false },
      });
    });

    it('refuses an admin of another organisation as if the user did not exist', () => {
      const stranger = { ...admin, adminOrgId: 'o2' };
      given(registered, lock).when(unlock(stranger)).thenThrows(UserNotFound, 'not_found');
      given(registered).when(setPassword(stranger)).thenThrows(UserNotFound, 'not_found');
      given().when(unlock()).thenThrows(UserNotFound, 'not_found');
    });
  });

  describe('evolve', () => {
    it('folds registration and role changes into the state', () => {
      const state = [
        registered,
        {
          type: 'UserRolesChanged',
          data: { userId: 'u1', roles: ['admin'], changedBy: 'a', changedAt: later.toISOString() },
        } satisfies UserEvent,
      ].reduce(userDecider.evolve, userDecider.initialState());
      expect(state).toEqual({
        status: 'registered',
        userId: 'u1',
        orgId: 'o1',
        email,
        passwordHash,
        roles: ['admin'],
        passwordChangeRequired: true,
        registeredAt: '2025-03-01T10:00:00.000Z',
        failures: { consecutive: 0, lastFailedAt: null, locked: false },
      });
    });
  });
});
