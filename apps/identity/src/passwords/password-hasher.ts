import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { hash as argon2Hash, parseOptions, verify as argon2Verify } from '@node-rs/argon2';
import { DomainError } from '#contracts';

/**
 * argon2id at OWASP's minimum (m=19 MiB, t=2, p=1). `@node-rs/argon2` was
 * chosen over `argon2` by `bench/argon2.bench.ts`: about 3x faster per verify
 * at these parameters (~13 ms against ~45 ms). Its async functions run on the
 * libuv thread pool, so a verify does not block the event loop. At most one
 * hash per CPU runs at once: memory-hard hashes on more threads than cores
 * fight over the caches (on 2 cores, 2 at a time verify ~140/s, the default 4
 * threads ~95/s), and the pool keeps threads free for other work.
 */
export const PASSWORD_HASH_PARAMETERS = {
  memoryCostKib: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

/** `Algorithm.Argon2id`: the package's enum is an ambient const enum, which isolatedModules cannot inline. */
const ARGON2ID = 2;
const ARGON2_VERSION_0X13 = 1;

const OPTIONS = {
  algorithm: ARGON2ID,
  version: ARGON2_VERSION_0X13,
  memoryCost: PASSWORD_HASH_PARAMETERS.memoryCostKib,
  timeCost: PASSWORD_HASH_PARAMETERS.timeCost,
  parallelism: PASSWORD_HASH_PARAMETERS.parallelism,
};

/**
 * Hashes waiting for a CPU, at most, per CPU: about a second of work at
 * ~70 verifies a second a core. Past it a burst (a password-spraying run, a
 * stampede after an outage) is refused at once with `Retry-After` instead of
 * queueing until every caller has timed out and the work is wasted.
 */
export const MAX_WAITING_HASHES_PER_CPU = 64;

/** The hasher's queue is full: answered as 503 with `Retry-After`. */
export class PasswordHasherBusy extends DomainError {
  constructor() {
    super('service_unavailable', 'too many password checks at once; try again shortly', { retryAfterSeconds: 1 });
  }
}

/**
 * Passwords are NFC-normalised before hashing and verifying, so the same
 * password typed on systems that compose accents differently still matches.
 */
export class PasswordHasher {
  private dummyHash: Promise<string> | undefined;
  private readonly slots = new Slots(availableParallelism(), availableParallelism() * MAX_WAITING_HASHES_PER_CPU);

  /** A PHC string: `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`. */
  hash(password: string): Promise<string> {
    return this.slots.run(() => argon2Hash(password.normalize('NFC'), OPTIONS));
  }

  /**
   * The parameters come from the hash string itself, so older hashes keep
   * verifying. Rejects when `passwordHash` is not an argon2 PHC string: that is
   * corrupt data, not a wrong password.
   */
  verify(passwordHash: string, password: string): Promise<boolean> {
    return this.slots.run(() => argon2Verify(passwordHash, password.normalize('NFC')));
  }

  /**
   * For an unknown email: spends the time of a real verify and answers false,
   * so the reply time does not tell which emails are registered.
   */
  async verifyAgainstDummy(password: string): Promise<false> {
    await this.verify(await this.dummy(), password);
    return false;
  }

  /** Computes the dummy hash now (at start-up) rather than during the first unknown-email login. */
  async prepare(): Promise<void> {
    await this.dummy();
  }

  /** True when the hash was made with other parameters than today's: rehash it at the next successful login. */
  needsRehash(passwordHash: string): boolean {
    const used = parseOptions(passwordHash);
    return (
      used.algorithm !== ARGON2ID ||
      used.version !== ARGON2_VERSION_0X13 ||
      used.memoryCost !== PASSWORD_HASH_PARAMETERS.memoryCostKib ||
      used.timeCost !== PASSWORD_HASH_PARAMETERS.timeCost ||
      used.parallelism !== PASSWORD_HASH_PARAMETERS.parallelism
    );
  }

  private dummy(): Promise<string> {
    // A random password nobody knows, hashed with the production parameters.
    this.dummyHash ??= this.hash(randomBytes(32).toString('base64url'));
    return this.dummyHash;
  }
}

/** Runs at most `size` tasks at once; up to `maxWaiting` others wait their turn, in order; more are refused. */
export class Slots {
  private busy = 0;
  private readonly queue: Array<() => void> = [];

  constructor(
    private readonly size: number,
    private readonly maxWaiting: number,
  ) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.busy >= this.size) {
      if (this.queue.length >= this.maxWaiting) throw new PasswordHasherBusy();
      await new Promise<void>((resolve) => this.queue.push(resolve));
    } else this.busy += 1;
    try {
      return await task();
    } finally {
      const next = this.queue.shift();
      if (next) next();
      else this.busy -= 1;
    }
  }
}
