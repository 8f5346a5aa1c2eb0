import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IdentityRpc } from '#contracts';
import type { ServiceUnderTest } from '#testing';
import { startIdentityWithOperator } from '../identity.testing.js';

const ann = { email: 'ann@example.org', password: 'ann long password' };
const refusal = { ok: false, error: { code: 'invalid_credentials', message: 'email or password is incorrect' } };

describe('identity.verify-credentials', () => {
  let identity: ServiceUnderTest;
  let annId: string;
  const verify = (payload: unknown) => identity.call(IdentityRpc.verifyCredentials, payload);

  beforeAll(async () => {
    const started = await startIdentityWithOperator();
    identity = started.identity;
    const { operator } = started;
    const registered = await identity.ok(IdentityRpc.registerUser, {
      orgId: operator.orgId,
      ...ann,
      roles: ['billing'],
      registeredBy: operator.id,
    });
    annId = registered.id;
  });

  afterAll(async () => {
    await identity.close({ removeData: true });
  });

  it('answers the user for the right password, whatever the spelling of the address', async () => {
    const expected = {
      ok: true,
      value: { id: annId, email: ann.email, orgId: expect.any(String), roles: ['billing'] },
    };
    expect(await verify(ann)).toEqual(expected);
    expect(await verify({ ...ann, email: '  ANN@example.org ' })).toEqual(expected);
  });

  it('answers invalid_payload when a field is missing or of the wrong type', async () => {
    for (const payload of [undefined, {}, { email: ann.email }, { email: 1, password: ann.password }]) {
      expect(await verify(payload)).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    }
  });

  it('answers a wrong password, an unknown address and a malformed one identically', async () => {
    const answers = await Promise.all([
      verify({ ...ann, password: 'wrong long password' }),
      verify({ ...ann, password: 'Ann long password' }),
      verify({ email: 'nobody@example.org', password: ann.password }),
      verify({ email: 'not an address', password: ann.password }),
    ]);
    for (const answer of answers) expect(answer).toEqual(refusal);
  });

  it('spends an argon2 verify on an unknown address too (no fast path that tells it apart)', async () => {
    const time = async (payload: { email: string; password: string }) => {
      const started = performance.now();
      for (let i = 0; i < 5; i += 1) await verify(payload);
      return (performance.now() - started) / 5;
    };
    const wrongPassword = await time({ ...ann, password: 'wrong long password' });
    const unknownEmail = await time({ email: 'nobody@example.org', password: ann.password });
    // A real verify costs milliseconds; a lookup alone, microseconds.
    expect(unknownEmail).toBeGreaterThan(wrongPassword / 3);
  });

  it('never logs the password or the hash', () => {
    const logs = identity.logs();
    expect(logs).not.toContain(ann.password);
    expect(logs).not.toContain('$argon2');
  });
});
