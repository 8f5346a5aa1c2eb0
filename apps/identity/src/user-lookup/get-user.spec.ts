import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IdentityRpc, type UserView } from '#contracts';
import type { ServiceUnderTest } from '#testing';
import { OPERATOR, startIdentityWithOperator } from '../identity.testing.js';

describe('identity.get-user', () => {
  let identity: ServiceUnderTest;
  let operator: UserView;

  beforeAll(async () => {
    ({ identity, operator } = await startIdentityWithOperator());
  });

  afterAll(async () => {
    await identity.close({ removeData: true });
  });

  it('answers the user, without the password hash', async () => {
    const found = await identity.call(IdentityRpc.getUser, { userId: operator.id });
    expect(found).toEqual({
      ok: true,
      value: { id: operator.id, email: OPERATOR.email, orgId: operator.orgId, roles: ['admin'] },
    });
    expect(JSON.stringify(found)).not.toContain('argon2');
  });

  it('answers not_found for an unknown user', async () => {
    expect(await identity.call(IdentityRpc.getUser, { userId: 'no-such-user' })).toEqual({
      ok: false,
      error: { code: 'not_found', message: 'user not found' },
    });
  });

  it('answers invalid_payload for an id that is not an identifier', async () => {
    expect(await identity.call(IdentityRpc.getUser, { userId: '../etc/passwd' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_payload' },
    });
    expect(await identity.call(IdentityRpc.getUser, {})).toMatchObject({
      ok: false,
      error: { code: 'invalid_payload' },
    });
  });
});
