import { describe, expect, it } from 'vitest';
import { DomainError, InvalidRoles } from '#contracts';
import { normaliseEmail } from '../email-reservation/email.js';
import {
  UserAlreadyExists,
  UserNotFound,
  userDecider,
  userStream,
  type UserCommand,
  type UserEvent,
  type UserRegistered,
} from './user.decider.js';

const given = (...events: UserEvent[]) => ({
  when: (command: UserCommand) =>
    userDecider.decide(command, events.reduce(userDecider.evolve, userDecider.initialState())),
});

const now = new Date('2025-03-01T10:00:00.000Z');
const later = new Date('2025-03-02T08:30:00.000Z');
const email = normaliseEmail('Ann@Example.org');
const passwordHash = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g';

const register: UserCommand = {
  type: 'RegisterUser',
  data: { userId: 'u1', orgId: 'o1', email, passwordHash, roles: ['accounting'], now },
};

const registered: UserRegistered = {
  type: 'UserRegistered',
  data: {
    schemaVersion: 1,
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
      expect(given().when(register)).toEqual([registered]);
    });

    it('normalises the roles', () => {
      const events = given().when({ ...register, data: { ...register.data, roles: [' Admin', 'admin', 'billing'] } });
      expect(events[0]?.data.roles).toEqual(['admin', 'billing']);
    });

    it('refuses invalid roles', () => {
      expect(() => given().when({ ...register, data: { ...register.data, roles: [''] } })).toThrow(InvalidRoles);
      expect(() => given().when({ ...register, data: { ...register.data, roles: ['acc ounting'] } })).toThrow(
        InvalidRoles,
      );
    });

    it('refuses an existing user id', () => {
      expect(() => given(registered).when(register)).toThrow(UserAlreadyExists);
    });

    it('refuses anything but an argon2id hash, so a plaintext password cannot be stored by mistake', () => {
      expect(() =>
        given().when({ ...register, data: { ...register.data, passwordHash: 'correct horse battery staple' } }),
      ).toThrow(/argon2id/);
    });
  });

  describe('ChangeUserRoles', () => {
    const change = (roles: string[]): UserCommand => ({
      type: 'ChangeUserRoles',
      data: { userId: 'u1', roles, changedBy: 'admin-1', now: later },
    });

    it('records the new roles', () => {
      expect(given(registered).when(change(['billing', 'Accounting']))).toEqual([
        {
          type: 'UserRolesChanged',
          data: {
            schemaVersion: 1,
            userId: 'u1',
            roles: ['billing', 'accounting'],
            changedBy: 'admin-1',
            changedAt: '2025-03-02T08:30:00.000Z',
          },
        },
      ]);
    });

    it('appends nothing when the roles are already those', () => {
      expect(given(registered).when(change(['accounting']))).toEqual([]);
    });

    it('refuses an unknown user with not_found', () => {
      expect(() => given().when(change(['billing']))).toThrow(UserNotFound);
      try {
        given().when(change(['billing']));
      } catch (error) {
        expect(error).toBeInstanceOf(DomainError);
        expect((error as DomainError).code).toBe('not_found');
      }
    });
  });

  describe('evolve', () => {
    it('folds registration and role changes into the state', () => {
      const state = [
        registered,
        {
          type: 'UserRolesChanged',
          data: { schemaVersion: 1, userId: 'u1', roles: ['admin'], changedBy: 'a', changedAt: later.toISOString() },
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
