import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestingModule } from '@nestjs/testing';
import { VerifyCredentialsController } from '../credentials/verify-credentials.controller.js';
import { OPERATOR, OPERATOR_ENV, startIdentity, temporaryDataDir } from '../identity.testing.js';
import { GetUserController } from './get-user.controller.js';

describe('identity.get-user', () => {
  const dataDir = temporaryDataDir();
  let identity: TestingModule;
  let users: GetUserController;

  beforeAll(async () => {
    identity = await startIdentity(dataDir.path, { env: OPERATOR_ENV });
    users = identity.get(GetUserController);
  });

  afterAll(async () => {
    await identity.close();
    dataDir.remove();
  });

  it('answers the user, without the password hash', async () => {
    const operator = await identity.get(VerifyCredentialsController).verifyCredentials(OPERATOR);
    if (!operator.ok) throw new Error(operator.error.code);
    const found = await users.getUser({ userId: operator.value.id });
    expect(found).toEqual({
      ok: true,
      value: { id: operator.value.id, email: OPERATOR.email, orgId: operator.value.orgId, roles: ['admin'] },
    });
    expect(JSON.stringify(found)).not.toContain('argon2');
  });

  it('answers not_found for an unknown user', async () => {
    expect(await users.getUser({ userId: 'no-such-user' })).toEqual({
      ok: false,
      error: { code: 'not_found', message: 'user not found' },
    });
  });

  it('answers invalid_payload for an id that is not an identifier', async () => {
    expect(await users.getUser({ userId: '../etc/passwd' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_payload' },
    });
    expect(await users.getUser({})).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
  });
});
