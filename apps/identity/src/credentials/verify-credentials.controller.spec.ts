import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestingModule } from '@nestjs/testing';
import { CollectingLogger, OPERATOR, OPERATOR_ENV, startIdentity, temporaryDataDir } from '../identity.testing.js';
import { RegisterUserController } from '../registration/register-user.controller.js';
import { VerifyCredentialsController } from './verify-credentials.controller.js';

const ann = { email: 'ann@example.org', password: 'ann long password' };
const refusal = { ok: false, error: { code: 'invalid_credentials', message: 'email or password is incorrect' } };

describe('identity.verify-credentials', () => {
  const dataDir = temporaryDataDir();
  const logger = new CollectingLogger();
  let identity: TestingModule;
  let credentials: VerifyCredentialsController;
  let annId: string;

  beforeAll(async () => {
    identity = await startIdentity(dataDir.path, { env: OPERATOR_ENV, logger });
    credentials = identity.get(VerifyCredentialsController);
    const operator = await credentials.verifyCredentials(OPERATOR);
    if (!operator.ok) throw new Error(operator.error.code);
    const registered = await identity
      .get(RegisterUserController)
      .registerUser({ orgId: operator.value.orgId, ...ann, roles: ['billing'], registeredBy: operator.value.id });
    if (!registered.ok) throw new Error(registered.error.code);
    annId = registered.value.id;
  });

  afterAll(async () => {
    await identity.close();
    dataDir.remove();
  });

  it('answers the user for the right password, whatever the spelling of the address', async () => {
    const expected = {
      ok: true,
      value: { id: annId, email: ann.email, orgId: expect.any(String), roles: ['billing'] },
    };
    expect(await credentials.verifyCredentials(ann)).toEqual(expected);
    expect(await credentials.verifyCredentials({ ...ann, email: '  ANN@example.org ' })).toEqual(expected);
  });

  it('answers invalid_payload when a field is missing or of the wrong type', async () => {
    for (const payload of [undefined, {}, { email: ann.email }, { email: 1, password: ann.password }]) {
      expect(await credentials.verifyCredentials(payload)).toMatchObject({
        ok: false,
        error: { code: 'invalid_payload' },
      });
    }
  });

  it('answers a wrong password, an unknown address and a malformed one identically', async () => {
    const answers = await Promise.all([
      credentials.verifyCredentials({ ...ann, password: 'wrong long password' }),
      credentials.verifyCredentials({ ...ann, password: 'Ann long password' }),
      credentials.verifyCredentials({ email: 'nobody@example.org', password: ann.password }),
      credentials.verifyCredentials({ email: 'not an address', password: ann.password }),
    ]);
    for (const answer of answers) expect(answer).toEqual(refusal);
  });

  it('spends an argon2 verify on an unknown address too (no fast path that tells it apart)', async () => {
    const time = async (payload: { email: string; password: string }) => {
      const started = performance.now();
      for (let i = 0; i < 5; i += 1) await credentials.verifyCredentials(payload);
      return (performance.now() - started) / 5;
    };
    const wrongPassword = await time({ ...ann, password: 'wrong long password' });
    const unknownEmail = await time({ email: 'nobody@example.org', password: ann.password });
    // A real verify costs milliseconds; a lookup alone, microseconds.
    expect(unknownEmail).toBeGreaterThan(wrongPassword / 3);
  });

  it('never logs the password or the hash', () => {
    const logs = logger.lines.join('\n');
    expect(logs).not.toContain(ann.password);
    expect(logs).not.toContain('$argon2');
  });
});
