import { randomUUID } from 'node:crypto';
import { hash as argon2Hash } from '@node-rs/argon2';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IdentityRpc } from '#contracts';
import type { ServiceUnderTest } from '#testing';
import { SIGN_IN_CONTEXT, signInRequest, startIdentityWithOperator } from '../identity.testing.js';
import { PasswordHasher } from '../passwords/password-hasher.js';
import { unregisteredAddressStream } from '../unregistered-address/unregistered-address.events.js';

const ann = { email: 'ann@example.org', password: 'ann long password' };
const refusal = { ok: false, error: { code: 'invalid_credentials', message: 'email or password is incorrect' } };
const ipRefusal = { ok: false, error: { code: 'ip_not_allowed', message: 'logins from this address are not allowed' } };

describe('identity.verify-credentials', () => {
  let identity: ServiceUnderTest;
  let annId: string;
  let orgId: string;
  const verify = (payload: unknown) => identity.call(IdentityRpc.verifyCredentials, payload);
  const signIn = (email: string, password: string, overrides: Record<string, unknown> = {}) =>
    verify(signInRequest(email, password, overrides));
  const typesIn = async (stream: string) => (await identity.store.read(stream)).map((event) => event.type);
  const codesOf = (answers: ReadonlyArray<{ ok: boolean; error?: { code: string } }>) =>
    answers.map((answer) => (answer.ok ? 'ok' : answer.error?.code));

  const start = async (env: Record<string, string> = {}) => {
    const started = await startIdentityWithOperator({ env, now: new Date('2031-01-01T09:00:00.000Z') });
    identity = started.identity;
    orgId = started.operator.orgId;
    const registered = await identity.ok(IdentityRpc.registerUser, {
      orgId,
      ...ann,
      roles: ['billing'],
      registeredBy: started.operator.id,
    });
    annId = registered.id;
  };

  afterEach(async () => {
    vi.restoreAllMocks();
    await identity.close({ removeData: true });
  });

  describe('with the default throttle', () => {
    beforeEach(() => start());

    it('answers the user for the right password, whatever the spelling of the address', async () => {
      const expected = {
        ok: true,
        value: { id: annId, email: ann.email, orgId, roles: ['billing'], passwordChangeRequired: true },
      };
      expect(await signIn(ann.email, ann.password)).toEqual(expected);
      expect(await signIn('  ANN@example.org ', ann.password)).toEqual(expected);
    });

    it('answers invalid_payload when a field is missing or of the wrong type', async () => {
      const complete = signInRequest(ann.email, ann.password);
      const { addressAllowed: _, ...withoutDecision } = complete;
      const { context: __, ...withoutContext } = complete;
      for (const payload of [
        undefined,
        {},
        { email: ann.email, password: ann.password },
        withoutDecision,
        withoutContext,
        { ...complete, addressAllowed: 'yes' },
        { ...complete, email: 1 },
      ]) {
        expect(await verify(payload)).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
      }
    });

    it('answers a wrong password, an unknown address and a malformed one identically', async () => {
      const answers = await Promise.all([
        signIn(ann.email, 'wrong long password'),
        signIn(ann.email, 'Ann long password'),
        signIn('nobody@example.org', ann.password),
        signIn('not an address', ann.password),
      ]);
      for (const answer of answers) expect(answer).toEqual(refusal);
    });

    it('records a wrong password in the user stream, where it came from, and an unknown address in its own', async () => {
      identity.clock.set(new Date('2031-01-01T10:00:00.000Z'));
      await signIn(ann.email, 'wrong long password');
      await signIn('nobody@example.org', 'wrong long password');

      const [, failed] = await identity.store.read(`user-${annId}`);
      expect(failed).toMatchObject({
        type: 'PasswordCheckFailed',
        data: { userId: annId, reason: 'wrong_password', ...SIGN_IN_CONTEXT, failedAt: '2031-01-01T10:00:00.000Z' },
      });
      expect(await typesIn(unregisteredAddressStream('nobody@example.org'))).toEqual(['PasswordCheckFailed']);
      const addressEvents = await identity.store.read(unregisteredAddressStream('nobody@example.org'));
      expect(JSON.stringify(addressEvents.map((event) => event.data))).not.toContain('nobody');
    });

    it('spends an argon2 verify on an unknown address too (no fast path that tells it apart)', async () => {
      // Medians of seven after one to warm up: a busy machine's odd slow call moves neither.
      const median = async (attempt: (i: number) => Promise<unknown>) => {
        await attempt(-1);
        const took: number[] = [];
        for (let i = 0; i < 7; i += 1) {
          const started = performance.now();
          await attempt(i);
          took.push(performance.now() - started);
        }
        return took.sort((a, b) => a - b)[3]!;
      };
      // The reference checks a password: the right one (a wrong one, repeated, is soon throttled, without argon2).
      const knownAddress = await median(() => signIn(ann.email, ann.password));
      // A new unknown address each time, for the same reason.
      const unknownAddress = await median((i) => signIn(`nobody-${i + 1}@example.org`, ann.password));
      // A real verify costs milliseconds; a lookup alone, microseconds.
      expect(unknownAddress).toBeGreaterThan(knownAddress / 3);
      expect(unknownAddress).toBeLessThan(knownAddress * 3);
    });

    it('answers ip_not_allowed from a refused address whatever the password, without argon2, and counts it', async () => {
      const verifies = vi.spyOn(identity.get(PasswordHasher), 'verify');

      const answers = [
        await signIn(ann.email, ann.password, { addressAllowed: false }),
        await signIn(ann.email, 'wrong long password', { addressAllowed: false }),
        await signIn('nobody@example.org', 'wrong long password', { addressAllowed: false }),
      ];

      for (const answer of answers) expect(answer).toEqual(ipRefusal);
      expect(verifies).not.toHaveBeenCalled();
      const userEvents = await identity.store.read(`user-${annId}`);
      expect(
        userEvents.filter((event) => event.type === 'PasswordCheckFailed').map((event) => event.data['reason']),
      ).toEqual(['ip_not_allowed', 'ip_not_allowed']);
      const [addressFailure] = await identity.store.read(unregisteredAddressStream('nobody@example.org'));
      expect(addressFailure?.data).toMatchObject({ reason: 'ip_not_allowed' });
    });

    it('makes the sixth attempt wait after five failures, right password or not, without argon2 or a write', async () => {
      for (let i = 0; i < 5; i += 1) expect(await signIn(ann.email, 'wrong long password')).toEqual(refusal);
      const verifies = vi.spyOn(identity.get(PasswordHasher), 'verify');
      const before = await typesIn(`user-${annId}`);

      identity.clock.advanceSeconds(0.4);
      const waiting = await signIn(ann.email, ann.password);

      expect(waiting).toEqual({
        ok: false,
        error: {
          code: 'too_many_attempts',
          message: 'too many failed passwords; try again later',
          details: { retryAfterSeconds: 1 },
        },
      });
      expect(verifies).not.toHaveBeenCalled();
      expect(await typesIn(`user-${annId}`)).toEqual(before);

      identity.clock.advanceSeconds(0.6);
      expect(await signIn(ann.email, ann.password)).toMatchObject({ ok: true, value: { id: annId } });
      expect((await typesIn(`user-${annId}`)).at(-1)).toBe('PasswordCheckSucceeded');
      // The count started again: four more failures are answered at once.
      for (let i = 0; i < 4; i += 1) expect(await signIn(ann.email, 'wrong long password')).toEqual(refusal);
    });

    it('throttles an unknown address exactly as an account, so a delay tells nothing', async () => {
      const attempts = async (email: string) => {
        const answers = [];
        for (let i = 0; i < 7; i += 1) answers.push(await signIn(email, 'wrong long password'));
        return answers;
      };
      const known = await attempts(ann.email);
      const unknown = await attempts('nobody@example.org');

      expect(codesOf(known)).toEqual([
        ...Array(5).fill('invalid_credentials'),
        'too_many_attempts',
        'too_many_attempts',
      ]);
      expect(unknown).toEqual(known);
    });

    it('lets a burst of parallel guesses get no more answers than guesses one at a time', async () => {
      const answers = await Promise.all(Array.from({ length: 8 }, () => signIn(ann.email, 'wrong long password')));

      expect(codesOf(answers).sort()).toEqual([
        ...Array(5).fill('invalid_credentials'),
        ...Array(3).fill('too_many_attempts'),
      ]);
      expect((await typesIn(`user-${annId}`)).filter((type) => type === 'PasswordCheckFailed')).toHaveLength(5);
    });

    it('re-hashes a hash made with weaker parameters after a successful sign-in, once', async () => {
      const stream = `user-${annId}`;
      const weaker = await argon2Hash(ann.password, { algorithm: 2, memoryCost: 4096, timeCost: 3, parallelism: 1 });
      const stored = await identity.store.read(stream);
      await identity.store.append(
        stream,
        [
          {
            id: randomUUID(),
            type: 'UserPasswordChanged',
            data: { schemaVersion: 1, userId: annId, passwordHash: weaker, changedAt: '2031-01-01T09:00:00.000Z' },
          },
        ],
        stored.length - 1,
      );

      expect(await signIn(ann.email, ann.password)).toMatchObject({ ok: true });
      const rehashed = (await identity.store.read(stream)).at(-1);
      expect(rehashed).toMatchObject({ type: 'PasswordRehashed', data: { userId: annId } });
      expect(rehashed?.data['passwordHash']).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);

      expect(await signIn(ann.email, ann.password)).toMatchObject({ ok: true });
      expect(await typesIn(stream)).toEqual(['UserRegistered', 'UserPasswordChanged', 'PasswordRehashed']);
    });

    it('never logs the password or the hash', async () => {
      await signIn(ann.email, ann.password);
      await signIn(ann.email, 'wrong long password');
      const logs = identity.logs();
      expect(logs).not.toContain(ann.password);
      expect(logs).not.toContain('$argon2');
    });
  });

  describe('with a lock after three failures (and a delay after two)', () => {
    beforeEach(() =>
      start({
        PASSWORD_DELAY_AFTER_FAILURES: '2',
        PASSWORD_DELAY_BASE_SECONDS: '60',
        PASSWORD_LOCK_AFTER_FAILURES: '3',
      }),
    );

    it('locks the account, and an unknown address alike, until an admin acts: even the right password is refused', async () => {
      const fail = async (email: string) => {
        const answers = [];
        for (let i = 0; i < 3; i += 1) {
          answers.push(await signIn(email, 'wrong long password'));
          identity.clock.advanceSeconds(60);
        }
        return answers;
      };
      expect(codesOf(await fail(ann.email))).toEqual(Array(3).fill('invalid_credentials'));
      expect(codesOf(await fail('nobody@example.org'))).toEqual(Array(3).fill('invalid_credentials'));
      identity.clock.advanceSeconds(86_400 * 30);

      const locked = {
        ok: false,
        error: {
          code: 'account_locked',
          message: 'too many failed passwords: the account is locked until an administrator unlocks it',
        },
      };
      expect(await signIn(ann.email, ann.password)).toEqual(locked);
      expect(await signIn('nobody@example.org', ann.password)).toEqual(locked);
      expect((await typesIn(`user-${annId}`)).slice(-2)).toEqual(['PasswordCheckFailed', 'UserLocked']);
      expect((await typesIn(unregisteredAddressStream('nobody@example.org'))).slice(-2)).toEqual([
        'PasswordCheckFailed',
        'AddressLocked',
      ]);
    });
  });
});
