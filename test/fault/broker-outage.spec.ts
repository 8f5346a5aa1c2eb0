import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiClient,
  createUserWithMfa,
  currentStep,
  signInAdminWithMfa,
  startOwnKafkaBroker,
  startSystem,
  totpAt,
  type ApiClient,
  type OwnKafkaBroker,
  type RunningSystem,
} from '#testing';
import { FAULT_BROKER } from './fault-broker.js';

const ADMIN = { email: 'admin@fault.example', password: 'fault-admin-password-1' };
const PASSWORD = 'fault-user-password-1';
/** Users with MFA active; a user's code steps are spent by its logins, each at most once. */
const USERS = 40;
/** At most one full login a second: fewer than the steps the users have, so a fresh one is always free. */
const FULL_LOGIN_EVERY_MS = 1_000;
const WORKERS = 4;
const OUTAGES = 4;
/** After the broker is back, logins with password and code must work again within this. */
const RECOVERY_LIMIT_MS = 30_000;

interface User {
  readonly email: string;
  readonly secret: string;
  /** The latest step whose code was sent (or used to activate): never sent again. */
  lastStep: number;
}

interface Outage {
  readonly stoppingAt: number;
  readonly backAt: number;
  recoveredAt?: number;
}

/**
 * The system as four processes on a broker of the test's own, under a bounded
 * login load: the broker is stopped and started again several times, at random
 * moments, each time for a few seconds. After each restart, logins with
 * password and code must succeed again within RECOVERY_LIMIT_MS, with nobody
 * restarting anything by hand.
 */
describe('logins through broker outages (four processes on Kafka)', () => {
  let broker: OwnKafkaBroker;
  let system: RunningSystem;
  let api: ApiClient;
  const users: User[] = [];

  beforeAll(async () => {
    broker = await startOwnKafkaBroker(FAULT_BROKER);
    system = await startSystem({
      mode: 'distributed',
      kafka: broker.clients,
      env: {
        BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
        BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
        LOGIN_RATE_LIMIT_PER_MINUTE: '1000000',
      },
    });
    api = apiClient(system.baseUrl);
    const admin = (await signInAdminWithMfa(api, ADMIN)).accessToken;
    await Promise.all(
      Array.from({ length: 4 }, async (_, worker) => {
        for (let index = worker; index < USERS; index += 4) users.push(await activatedUser(api, admin, index));
      }),
    );
  }, 180_000);

  afterAll(async () => {
    await system?.stop({ removeData: true });
    await broker?.release();
  }, 60_000);

  it(`lets people log in again within ${RECOVERY_LIMIT_MS / 1000} s of each broker restart`, async () => {
    const outages: Outage[] = [];
    const load = startLoginLoad(api, users, (at) => {
      const pending = outages.find((outage) => outage.recoveredAt === undefined && at >= outage.backAt);
      if (pending) pending.recoveredAt = at;
    });
    try {
      await load.waitForLogins(3, 30_000); // the load works before anything is stopped
      for (let i = 0; i < OUTAGES; i += 1) {
        await sleep(randomInt(1_000, 6_000)); // a random moment of the load
        const stoppingAt = Date.now();
        await broker.stop();
        await sleep(randomInt(2_000, 6_000)); // away for a few seconds
        await broker.start();
        const outage: Outage = { stoppingAt, backAt: Date.now() };
        outages.push(outage);
        const deadline = outage.backAt + RECOVERY_LIMIT_MS;
        while (outage.recoveredAt === undefined && Date.now() < deadline) await sleep(100);
        expect(
          outage.recoveredAt,
          `logins did not work again within ${RECOVERY_LIMIT_MS} ms of restart ${i + 1}`,
        ).toBeDefined();
      }
    } finally {
      await load.stop();
      report(outages, load.counts(), system.logs());
      // What the four processes said, to see why when logins did not come back.
      if (outages.some((outage) => outage.recoveredAt === undefined)) console.error(system.logs().slice(-30_000));
    }

    // Every service, and its relay, is fully back: nothing was restarted by hand.
    await expect
      .poll(
        async () => {
          const response = await fetch(`${system.baseUrl}/health`);
          const body = (await response.json()) as {
            services: Record<string, { relay?: { state: string; lag: number } }>;
          };
          return response.status === 200 && Object.values(body.services).every((s) => s.relay?.state === 'running');
        },
        { timeout: 30_000, interval: 500 },
      )
      .toBe(true);
    // The outages were felt (answered 503, nothing worse), and no code was refused or locked anybody out.
    expect(load.counts().unavailable).toBeGreaterThan(0);
    expect(load.counts().lockedOrRefused).toBe(0);
  }, 300_000);
});

/** A user with MFA active; `lastStep`: the last step whose code was sent. */
async function activatedUser(api: ApiClient, adminToken: string, index: number): Promise<User> {
  const user = await createUserWithMfa(api, adminToken, { email: `user${index}@fault.example`, password: PASSWORD });
  return { email: user.email, secret: user.secret, lastStep: user.activatedStep };
}

interface LoadCounts {
  /** Full logins (password, then code) that ended `authenticated`. */
  readonly succeeded: number;
  /** Attempts answered `503` or not at all: what an outage costs. */
  readonly unavailable: number;
  /** Anything else: a refused code, a lock-out, a 500. Never expected. */
  readonly lockedOrRefused: number;
}

/**
 * WORKERS clients logging in one after another: the password step, and once a
 * second the code step too, with a step the user has not sent before (a code
 * is accepted once per step, and a step sent during an outage may have been
 * used even though its answer was lost: sending it again would count as a
 * wrong code towards the lock-out).
 */
function startLoginLoad(api: ApiClient, users: User[], onFullLogin: (at: number) => void) {
  let running = true;
  let succeeded = 0;
  let unavailable = 0;
  let lockedOrRefused = 0;
  const unexpected: string[] = [];
  let next = 0;

  let lastFullLoginAt = 0;

  /**
   * The earliest step after the user's last one that the service accepts now
   * and still on arrival: the current one or the next (one step of drift
   * either way; the previous one could be too old by the time it arrives).
   */
  const freshStep = (user: User): number | undefined => {
    const step = Math.max(user.lastStep + 1, currentStep());
    return step <= currentStep() + 1 ? step : undefined;
  };

  const attempt = async (): Promise<void> => {
    const user = users[next++ % users.length]!;
    const first = await api.post('/v1/auth/login', { email: user.email, password: PASSWORD });
    if (first.status === 503) {
      unavailable += 1;
      return;
    }
    if (first.body.status !== 'mfa_required') {
      lockedOrRefused += 1;
      unexpected.push(`login: ${first.status} ${JSON.stringify(first.body)}`);
      return;
    }
    const step = freshStep(user);
    if (step === undefined || Date.now() - lastFullLoginAt < FULL_LOGIN_EVERY_MS) return;
    lastFullLoginAt = Date.now();
    user.lastStep = step;
    const second = await api.post('/v1/auth/login/mfa', {
      mfaToken: first.body.mfaToken,
      code: totpAt(user.secret, step),
    });
    if (second.status === 503) {
      unavailable += 1;
    } else if (second.body.status === 'authenticated') {
      succeeded += 1;
      onFullLogin(Date.now());
    } else {
      lockedOrRefused += 1;
      unexpected.push(`login/mfa: ${second.status} ${JSON.stringify(second.body)}`);
    }
  };

  const workers = Array.from({ length: WORKERS }, async () => {
    while (running) {
      await attempt().catch(() => (unavailable += 1)); // no answer at all (a timeout)
      await sleep(100);
    }
  });

  return {
    counts: (): LoadCounts & { unexpected: string[] } => ({ succeeded, unavailable, lockedOrRefused, unexpected }),
    async waitForLogins(count: number, timeoutMs: number): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (succeeded < count) {
        if (Date.now() > deadline) throw new Error(`only ${succeeded} logins before any outage`);
        await sleep(100);
      }
    },
    async stop(): Promise<void> {
      running = false;
      await Promise.all(workers);
    },
  };
}

function report(outages: Outage[], counts: LoadCounts & { unexpected: string[] }, logs: string): void {
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const lines = outages.map(
    (outage, i) =>
      `  outage ${i + 1}: broker away ${seconds(outage.backAt - outage.stoppingAt)} (stop + down + start), ` +
      `logins back ${outage.recoveredAt === undefined ? 'NEVER' : seconds(outage.recoveredAt - outage.backAt)} after it was ready`,
  );
  const mentions = (pattern: RegExp) => logs.split('\n').filter((line) => pattern.test(line)).length;
  console.info(
    [
      `broker outages under ${WORKERS} login workers, ${USERS} users:`,
      ...lines,
      `  full logins: ${counts.succeeded} succeeded, ${counts.unavailable} unavailable (503 or no answer), ` +
        `${counts.lockedOrRefused} refused`,
      `  consumers replaced after a crash: ${mentions(/consuming again/)}; relays retrying: ${mentions(/cannot publish/)}`,
      ...counts.unexpected.slice(0, 5).map((line) => `  unexpected: ${line}`),
    ].join('\n'),
  );
}
