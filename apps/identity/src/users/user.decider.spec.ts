import { describe, expect, it } from 'vitest';
import { InvalidRoles } from '#contracts';
import { deciderSpec } from '#testing';
import { normaliseEmail } from '../email-reservation/email.js';
import type { UserCommand } from './user.commands.js';
import { userDecider } from './user.decider.js';
import { InvalidCredentials, UserAlreadyExists, UserNotFound } from './user.errors.js';
import { userStream, type UserEvent, type UserRegistered } from './user.events.js';

const { given } = deciderSpec(userDecider);

const now = new Date('2025-03-01T10:00:00.000Z');
const later = new Date('2025-03-02T08:30:00.000Z');
const email = normaliseEmail('Ann@Example.org');
const passwordHash = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g';
const newPasswordHash = '$argon2id$v=19$m=19456,t=2,p=1$bmV3c2FsdG5ld3NhbHQ$bmV3aGFzaG5ld2hhc2huZXdoYXNobmV3aGFzaG5ldw';

const register: UserCommand = {
  type: 'RegisterUser',
  data: { userId: 'u1', orgId: 'o1', email, passwordHash, roles: ['accounting'], now },
};

const registered: UserRegistered = {
  type: 'UserRegistered',
  data: {
    userId: 'u1',
    orgId: 'o1',
    email,
    passwordHash,
    roles: ['accounting'],
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
    const change = (roles: string[]): UserCommand => ({
      type: 'ChangeUserRoles',
      data: { userId: 'u1', roles, changedBy: 'admin-1', now: later },
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

    it('refuses anything but an argon2id hash', () => {
      expect(() => given(registered).when(changePassword(passwordHash, 'new plaintext password')).events()).toThrow(
        /argon2id/,
      );
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
        registeredAt: '2025-03-01T10:00:00.000Z',
      });
    });
  });
});
