import { describe, expect, it } from 'vitest';
import { PasswordHasher, PasswordHasherBusy, Slots } from './password-hasher.js';

const password = 'correct horse battery staple';

describe('PasswordHasher', () => {
  const hasher = new PasswordHasher();

  it('hashes with argon2id m=19456 KiB, t=2, p=1, encoded in the hash string', async () => {
    const hash = await hasher.hash(password);
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(hash).not.toContain(password);
  });

  it('salts: the same password hashes differently each time', async () => {
    expect(await hasher.hash(password)).not.toBe(await hasher.hash(password));
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const hash = await hasher.hash(password);
    expect(await hasher.verify(hash, password)).toBe(true);
    expect(await hasher.verify(hash, `${password}.`)).toBe(false);
    expect(await hasher.verify(hash, 'Correct horse battery staple')).toBe(false);
  });

  it('verifies a password typed with a decomposed accent against one hashed composed', async () => {
    const hash = await hasher.hash('caf\u00e9 au lait, noir');
    expect(await hasher.verify(hash, 'cafe\u0301 au lait, noir')).toBe(true);
  });

  it('rejects a stored hash that is not an argon2 string rather than answering false', async () => {
    await expect(hasher.verify('not-a-hash', password)).rejects.toThrow();
  });

  it('answers false against the dummy hash, for any password', async () => {
    expect(await hasher.verifyAgainstDummy(password)).toBe(false);
    expect(await hasher.verifyAgainstDummy('')).toBe(false);
  });

  it('spends about the time of a real verify on the dummy, once prepared', async () => {
    await hasher.prepare();
    const hash = await hasher.hash(password);
    const time = async (run: () => Promise<unknown>): Promise<number> => {
      const samples: number[] = [];
      for (let i = 0; i < 5; i++) {
        const start = performance.now();
        await run();
        samples.push(performance.now() - start);
      }
      return samples.sort((a, b) => a - b)[2] ?? NaN;
    };
    const real = await time(() => hasher.verify(hash, 'wrong password here'));
    const dummy = await time(() => hasher.verifyAgainstDummy('wrong password here'));
    // Same parameters, same work: a generous bound keeps this stable on a busy machine,
    // while a dummy that skipped the argon2 work (~0 ms) would fail.
    expect(dummy).toBeGreaterThan(real * 0.4);
    expect(dummy).toBeLessThan(real * 2.5);
  });

  it('does not block the event loop while verifying', async () => {
    const hash = await hasher.hash(password);
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 1);
    await Promise.all(Array.from({ length: 4 }, () => hasher.verify(hash, password)));
    clearInterval(ticker);
    expect(ticks).toBeGreaterThan(0);
  });

  it('tells hashes made with other parameters to be rehashed', async () => {
    expect(hasher.needsRehash(await hasher.hash(password))).toBe(false);
    const { hash } = await import('@node-rs/argon2');
    const weaker = await hash(password, { algorithm: 2, memoryCost: 4096, timeCost: 3, parallelism: 1 });
    expect(hasher.needsRehash(weaker)).toBe(true);
    expect(await hasher.verify(weaker, password)).toBe(true);
  });
});

describe('Slots (the hasher queue)', () => {
  it('runs at most `size` at once, queues up to `maxWaiting`, refuses more with Retry-After', async () => {
    const slots = new Slots(1, 2);
    const releases: Array<() => void> = [];
    let running = 0;
    let maxRunning = 0;
    const task = () =>
      slots.run(
        () =>
          new Promise<void>((resolve) => {
            running += 1;
            maxRunning = Math.max(maxRunning, running);
            releases.push(() => {
              running -= 1;
              resolve();
            });
          }),
      );
    const accepted = [task(), task(), task()];
    const refused = await task().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(PasswordHasherBusy);
    expect(refused).toMatchObject({ code: 'service_unavailable', details: { retryAfterSeconds: 1 } });
    for (let finished = 0; finished < accepted.length; finished += 1) {
      while (releases.length === 0) await new Promise((resolve) => setImmediate(resolve));
      releases.shift()!();
    }
    await Promise.all(accepted);
    expect(maxRunning).toBe(1);
    expect(await slots.run(async () => 'free again')).toBe('free again');
  });
});
