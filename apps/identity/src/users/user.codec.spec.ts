import { describe, expect, it } from 'vitest';
import { userEventCodec } from './user.codec.js';

describe('userEventCodec', () => {
  it('reads a version 1 registration as one whose password need not be changed', () => {
    const v1 = { schemaVersion: 1, userId: 'u1', orgId: 'o1', email: 'ann@example.org', roles: [], registeredAt: 't' };
    expect(userEventCodec.decode({ type: 'UserRegistered', data: v1 })).toEqual({
      type: 'UserRegistered',
      data: {
        userId: 'u1',
        orgId: 'o1',
        email: 'ann@example.org',
        roles: [],
        registeredAt: 't',
        passwordChangeRequired: false,
      },
    });
  });

  it('writes registrations as version 2', () => {
    expect(userEventCodec.versionOf('UserRegistered')).toBe(2);
  });
});
