import { randomInt, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTEGRATION_TOPICS, type IntegrationEvent } from '#contracts';
import { isSnapshotStream, SqliteEventStore, type RecordedEvent } from '#event-store';
import { integrationEventsOf, prefixed, type IntegrationEventMapping } from '#messaging';
import {
  apiClient,
  createUserWithMfa,
  currentStep,
  jwtClaims,
  kafkaConnectionFor,
  signInAdminWithMfa,
  startOwnKafkaBroker,
  startSubscriber,
  startSystem,
  totpAt,
  type ApiClient,
  type ApiResponse,
  type AppProcess,
  type OwnKafkaBroker,
  type RunningSystem,
} from '#testing';
import { identityIntegrationEvent } from '../../apps/identity/src/identity.public.js';
import { publishedMfaEnrollment } from '../../apps/mfa/src/mfa-enrollment/mfa-enrollment.public.js';
import { toPolicyIntegrationEvent } from '../../apps/policy/src/org-policy/org-policy.public.js';
import { FAULT_BROKER } from './fault-broker.js';

const run = randomUUID().slice(0, 8);
const LOG_FILE = join(import.meta.dirname, '../../test-output/fault/process-kills.log');
const ADMIN = { email: 'admin@kills.example', password: 'kills-admin-password-1' };
const PASSWORD = 'kills-user-password-1';
/** Users with MFA active. A user logs in with a code at most once per 30-second step. */
const USERS = 60;
/** Users created at once (each creation hashes passwords with argon2 four times). */
const CREATORS = 3;
const WORKERS = 4;
/** At most one full login started this often, over all workers: fewer than USERS per step. */
const PACE_MS = 600;
/** Every RACE_EVERY-th login sends its code twice at once, once through each gateway: one may succeed. */
const RACE_EVERY = 4;
/** A login with password and code must succeed again within this of each fault. */
const RECOVERY_LIMIT_MS = 45_000;
/**
 * A fault's window closes once logins have run this long without a 503 or an
 * unanswered request, with at least QUIET_LOGINS successes meanwhile (and not
 * before MIN_WINDOW_MS): longer than the services' Kafka session timeout (10 s).
 */
const QUIET_MS = 11_000;
const QUIET_LOGINS = 8;
/**
 * The shortest a fault window lasts: a killed process's group is rebalanced
 * after the session timeout (10 s), the rebalance waits up to the rebalance
 * timeout (10 s) for the members, and a request sent to a partition nobody
 * consumes waits out the request timeout (5 s) before it is answered 503.
 */
const MIN_WINDOW_MS = 25_000;
/** Between two faults (and after the last) the load runs undisturbed this long: longer than a request may wait. */
const BETWEEN_FAULTS_MS = 6_000;
/** The longest a fault window may stay open. */
const WINDOW_LIMIT_MS = 75_000;
/** How often the admin changes the MFA requirement (a policy event each time). */
const POLICY_CHANGE_EVERY_MS = 3_000;
const SERVICES = ['identity', 'mfa', 'policy'] as const;
type Service = (typeof SERVICES)[number];
/** What each service's relay publishes (the services' own mappings): which stored events must be on the topics. */
const PUBLISHED: Record<Service, IntegrationEventMapping> = {
  identity: identityIntegrationEvent,
  mfa: integrationEventsOf(publishedMfaEnrollment),
  policy: toPolicyIntegrationEvent,
};

interface User {
  readonly id: string;
  readonly email: string;
  readonly secret: string;
  /** The latest step whose code was sent (or used to activate): never sent again, except by a race. */
  lastStep: number;
}

/** One HTTP answer (or none), with when its request was sent and when it was answered. */
interface Answer {
  readonly sentAt: number;
  readonly answeredAt: number;
  readonly route: 'login' | 'login/mfa' | 'policies/mfa';
  /** The HTTP status, or `no answer` (connection refused or reset: a killed gateway). */
  readonly status: number | 'no answer';
  readonly error?: string;
}

interface Success {
  readonly user: User;
  readonly step: number;
  /** The mfaToken's id: the challenge id of the MfaChallengeVerified the login recorded. */
  readonly challengeId: string;
  readonly at: number;
}

interface FaultWindow {
  readonly name: string;
  readonly startedAt: number;
  /** When the fault was complete: the process dead, the broker answering again. */
  injectedAt: number;
  recoveredAt?: number;
  closedAt?: number;
}

/**
 * Every app but notifications twice (two gateways, two identity, two mfa, two
 * policy processes, each service's pair on one SQLite file in one DATA_DIR) on
 * a broker of the test's own, under full MFA logins from several workers, while
 * in turn an mfa instance is killed -9, then an identity instance, the broker
 * is restarted, and a gateway is killed -9. Killed processes are not started
 * again: the system answers through the survivors. Afterwards nothing may have
 * been accepted twice or lost: each (user, step) verified at most once, each
 * login answered `authenticated` recorded in the user's MFA history, every
 * event every service stored on its topic, every stream gap-free, and the
 * survivors healthy.
 */
describe('logins through killed processes and a broker restart (every service twice)', () => {
  let broker: OwnKafkaBroker;
  let system: RunningSystem;
  let adminToken = '';
  const users: User[] = [];

  beforeAll(async () => {
    broker = await startOwnKafkaBroker(FAULT_BROKER);
    system = await startSystem({
      mode: 'distributed',
      instances: 2,
      kafka: broker.clients,
      env: {
        BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
        BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
        LOGIN_RATE_LIMIT_PER_MINUTE: '1000000',
      },
      readyTimeoutMs: 120_000,
    });
    const api = apiClient(system.baseUrls[0]!);
    adminToken = (await signInAdminWithMfa(api, ADMIN)).accessToken;
    const apis = system.baseUrls.map((url) => apiClient(url));
    await Promise.all(
      Array.from({ length: CREATORS }, async (_, creator) => {
        for (let index = creator; index < USERS; index += CREATORS) {
          const email = `user${index}-${run}@kills.example`;
          const user = await createUserWithMfa(apis[index % apis.length]!, adminToken, { email, password: PASSWORD });
          users.push({ id: user.id, email, secret: user.secret, lastStep: user.activatedStep });
        }
      }),
    );
  }, 240_000);

  afterAll(async () => {
    // What the eight processes said, to see why when something failed (test-output/ is not committed).
    if (system) {
      mkdirSync(dirname(LOG_FILE), { recursive: true });
      writeFileSync(LOG_FILE, system.logs());
    }
    await system?.stop({ removeData: true });
    await broker?.release();
  }, 60_000);

  it('keeps answering through the survivors, accepts no step twice, loses no login and no event', async () => {
    const gateways = system.baseUrls.map((url, instance) => ({ api: apiClient(url), instance }));
    const load = startLoginLoad(gateways, users, adminToken);
    const windows: FaultWindow[] = [];
    const faults: { name: string; inject: () => Promise<string> }[] = [
      { name: 'kill -9 an mfa instance', inject: () => killOne(system, 'mfa') },
      { name: 'kill -9 an identity instance', inject: () => killOne(system, 'identity') },
      {
        name: 'restart the broker',
        inject: async () => {
          await broker.stop();
          await broker.start();
          return 'stopped (controlled shutdown) and started again';
        },
      },
      {
        name: 'kill -9 a gateway',
        inject: async () => {
          const victim = gateways.splice(randomInt(gateways.length), 1)[0]!; // the workers stop choosing it first
          await gatewayProcess(system, victim.instance).kill();
          return `gateway #${victim.instance}; the workers use gateway #${gateways[0]!.instance} alone`;
        },
      },
    ];
    try {
      await load.waitForSuccesses(QUIET_LOGINS, 60_000); // the load works before anything is broken
      expect(
        load.answers().filter((answer) => !isOk(answer)),
        'failures before any fault',
      ).toEqual([]);
      for (const fault of faults) {
        const window: FaultWindow = { name: fault.name, startedAt: Date.now(), injectedAt: 0 };
        windows.push(window);
        const what = await fault.inject();
        window.injectedAt = Date.now();
        console.info(
          `fault at ${new Date(window.startedAt).toISOString()}: ${fault.name} (${what}), ` +
            `${seconds(window.injectedAt - window.startedAt)} to inject`,
        );
        await load.waitForRecovery(window);
        expect(
          window.recoveredAt,
          `no login succeeded within ${RECOVERY_LIMIT_MS} ms of "${fault.name}"`,
        ).toBeDefined();
        expect(window.closedAt, `still failing ${WINDOW_LIMIT_MS} ms after "${fault.name}"`).toBeDefined();
        await sleep(BETWEEN_FAULTS_MS); // the load between faults, and after the last: nothing may fail
      }
    } finally {
      await load.stop();
      report(windows, load.answers(), load.successes().length, load.races());
    }

    // Nothing ≥ 500 but 503, nothing refused but a race's second code; 503 and unanswered requests only
    // for requests sent, or still waiting for their answer, inside a fault window.
    const answers = load.answers();
    expect(
      answers.filter((answer) => typeof answer.status === 'number' && answer.status >= 500 && answer.status !== 503),
    ).toEqual([]);
    expect(load.unexpected()).toEqual([]);
    const outsideWindows = answers.filter((answer) => !isOk(answer) && !windows.some((w) => overlaps(w, answer)));
    expect(outsideWindows, 'failures outside every fault window').toEqual([]);
    expect(load.races().bothAccepted).toBe(0);

    const survivor = apiClient(gateways[0]!.api.baseUrl);
    await expectHealthy(survivor);

    // Each user's MFA history: gap-free, no step verified twice, every login answered `authenticated` in it.
    const histories = await Promise.all(
      users.map(async (user) => [user, await mfaHistory(survivor, adminToken, user)] as const),
    );
    const verified = new Map<string, { step: number; challengeId: string }[]>();
    for (const [user, events] of histories) {
      expect(events.map((event) => event.revision)).toEqual(events.map((_, revision) => revision));
      const checks = events
        .filter((event) => event.type === 'MfaChallengeVerified')
        .map((event) => ({ step: Number(event.data['step']), challengeId: String(event.data['challengeId']) }));
      const steps = checks.map((check) => check.step);
      expect(steps, `${user.email}: a step verified twice`).toEqual([...new Set(steps)]);
      verified.set(user.id, checks);
    }
    const lost = load
      .successes()
      .filter(
        ({ user, step, challengeId }) =>
          !verified.get(user.id)!.some((c) => c.step === step && c.challengeId === challengeId),
      );
    expect(
      lost.map(({ user, step }) => `${user.email} step ${step}`),
      'logins answered without a record',
    ).toEqual([]);

    // Every event every service stored (read from its SQLite file, read-only) that its relay publishes is on
    // its topic, by event id, each stream's events first seen in revision order; every stream gap-free.
    const stored = Object.fromEntries(
      await Promise.all(SERVICES.map(async (service) => [service, await storedEvents(system, service)] as const)),
    ) as Record<Service, RecordedEvent[]>;
    for (const service of SERVICES) expectGapFree(service, stored[service]);
    const expected = new Map<string, RecordedEvent>();
    for (const service of SERVICES) {
      for (const event of stored[service]) if (PUBLISHED[service](event)) expected.set(event.id, event);
    }
    const published = await readTopics(broker, new Set(expected.keys()));
    const missing = [...expected.values()].filter((event) => !published.has(event.id));
    expect(
      missing.map((event) => `${event.stream}@${event.revision} ${event.type}`),
      'stored events not on their topic',
    ).toEqual([]);
    for (const [stream, revisions] of firstSeenRevisions(published)) {
      expect(revisions, `${stream} published out of order`).toEqual([...revisions].sort((a, b) => a - b));
    }
    console.info(
      `checked: ${users.length} users' MFA histories (${[...verified.values()].flat().length} verified steps), ` +
        SERVICES.map(
          (s) => `${s} ${stored[s].length} stored / ${stored[s].filter((e) => PUBLISHED[s](e)).length} published`,
        ).join(', ') +
        `; on the topics: ${published.size} of them, ` +
        `${[...published.values()].filter((copies) => copies.length > 1).length} more than once`,
    );
  }, 420_000);
});

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

const isOk = (answer: Answer): boolean => answer.status !== 503 && answer.status !== 'no answer';

/** The request was sent, or waited for its answer, while the window was open. */
const overlaps = (window: FaultWindow, answer: Answer): boolean =>
  answer.answeredAt >= window.startedAt && (window.closedAt === undefined || answer.sentAt <= window.closedAt);

function gatewayProcess(system: RunningSystem, instance: number): AppProcess {
  return system.processes.filter((child) => child.app === 'gateway')[instance]!;
}

/**
 * Kills -9 the instance of `app` that publishes its events (the last to log that
 * it holds the relay lease), so the other must take the lease over; the first
 * instance when none said so.
 */
async function killOne(system: RunningSystem, app: Service): Promise<string> {
  const instances = system.processes.filter((child) => child.app === app);
  const holds = (child: AppProcess) => {
    const lines = child
      .logs()
      .split('\n')
      .filter((line) => /relay: (publishing|standing by)/.test(line));
    return lines.at(-1)?.includes('publishing') ?? false;
  };
  const index = Math.max(0, instances.findIndex(holds));
  await instances[index]!.kill();
  return `${app} #${index}${holds(instances[index]!) ? ', the relay lease holder' : ''}`;
}

/**
 * WORKERS clients, each logging in with password and code one login after
 * another, one login started every PACE_MS at most over all of them: a user
 * whose code of the current step was not sent yet, the password through one
 * gateway and the code through the other while both live. Every RACE_EVERY-th
 * login gets two mfaTokens and sends the same code with each at once, through
 * both gateways: the services must accept it once.
 */
function startLoginLoad(gateways: { api: ApiClient; instance: number }[], users: User[], adminToken: string) {
  let running = true;
  let nextStartAt = 0;
  let logins = 0;
  const answers: Answer[] = [];
  const successes: Success[] = [];
  const unexpected: string[] = [];
  const races = { run: 0, oneAccepted: 0, bothAccepted: 0 };

  const send = async (
    route: Answer['route'],
    api: ApiClient,
    body: Record<string, unknown>,
  ): Promise<ApiResponse | undefined> => {
    const sentAt = Date.now();
    try {
      const response =
        route === 'policies/mfa'
          ? await api.put(`/v1/admin/${route}`, body, { token: adminToken })
          : await api.post(`/v1/auth/${route}`, body);
      answers.push({ sentAt, answeredAt: Date.now(), route, status: response.status });
      return response;
    } catch (error) {
      answers.push({ sentAt, answeredAt: Date.now(), route, status: 'no answer', error: String(error) });
      return undefined;
    }
  };

  const challenge = async (user: User, api: ApiClient): Promise<string | undefined> => {
    const first = await send('login', api, { email: user.email, password: PASSWORD });
    if (first === undefined || first.status === 503) return undefined;
    if (first.body['status'] !== 'mfa_required') {
      unexpected.push(`login: ${first.status} ${JSON.stringify(first.body)}`);
      return undefined;
    }
    return String(first.body['mfaToken']);
  };

  const verify = async (user: User, step: number, api: ApiClient, mfaToken: string, race: boolean) => {
    const answer = await send('login/mfa', api, { mfaToken, code: totpAt(user.secret, step) });
    if (answer === undefined || answer.status === 503) return false;
    if (answer.body['status'] === 'authenticated') {
      successes.push({ user, step, challengeId: String(jwtClaims(mfaToken)['jti']), at: Date.now() });
      return true;
    }
    if (!(race && answer.status === 401 && answer.body['error'] === 'invalid_code')) {
      unexpected.push(`login/mfa: ${answer.status} ${JSON.stringify(answer.body)}`);
    }
    return false;
  };

  const login = async (user: User, step: number): Promise<void> => {
    const [first, second = first] = gateways
      .slice(logins % gateways.length)
      .concat(gateways)
      .map((g) => g.api);
    const race = gateways.length > 1 && logins % RACE_EVERY === 0;
    logins += 1;
    if (!race) {
      const mfaToken = await challenge(user, first!);
      if (mfaToken !== undefined) await verify(user, step, second!, mfaToken, false);
      return;
    }
    const tokens = await Promise.all([challenge(user, first!), challenge(user, second!)]);
    if (tokens.some((token) => token === undefined)) return;
    races.run += 1;
    const accepted = await Promise.all([
      verify(user, step, first!, tokens[0]!, true),
      verify(user, step, second!, tokens[1]!, true),
    ]);
    const count = accepted.filter(Boolean).length;
    if (count === 1) races.oneAccepted += 1;
    if (count > 1) races.bothAccepted += 1;
  };

  /** A user whose code of the current step was not sent yet (one step later than the last sent, at least). */
  const freeUser = (): User | undefined => users.find((user) => user.lastStep < currentStep());

  const workers = Array.from({ length: WORKERS }, async () => {
    while (running) {
      const user = Date.now() >= nextStartAt ? freeUser() : undefined;
      if (user === undefined) {
        await sleep(50);
        continue;
      }
      nextStartAt = Date.now() + PACE_MS;
      const step = currentStep();
      user.lastStep = step; // never sent again: an answer lost in a fault may hide an accepted code
      users.push(...users.splice(users.indexOf(user), 1)); // the least recently used first
      await login(user, step);
    }
  });

  // The admin changes the MFA requirement now and then, so the policy service stores (and publishes) events
  // through the faults too.
  const policyWriter = (async () => {
    for (let change = 0; running; change += 1) {
      const requiredForRoles = [change % 2 === 0 ? 'accounting' : 'billing'];
      const answer = await send('policies/mfa', gateways[0]!.api, { requiredForAll: false, requiredForRoles });
      if (answer !== undefined && answer.status !== 200 && answer.status !== 503) {
        unexpected.push(`policies/mfa: ${answer.status} ${JSON.stringify(answer.body)}`);
      }
      await sleep(POLICY_CHANGE_EVERY_MS);
    }
  })();

  return {
    answers: (): readonly Answer[] => answers,
    successes: (): readonly Success[] => successes,
    unexpected: (): readonly string[] => unexpected,
    races: () => ({ ...races }),
    async waitForSuccesses(count: number, timeoutMs: number): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (successes.length < count) {
        if (Date.now() > deadline) throw new Error(`only ${successes.length} logins before any fault`);
        await sleep(100);
      }
    },
    /**
     * Until a login succeeds after the fault (recovery), then until the logins have run QUIET_MS
     * without a failure and with QUIET_LOGINS successes (the window closes), each bounded.
     */
    async waitForRecovery(window: FaultWindow): Promise<void> {
      const limit = window.startedAt + WINDOW_LIMIT_MS;
      while (Date.now() < Math.min(limit, window.injectedAt + RECOVERY_LIMIT_MS)) {
        const first = successes.find((success) => success.at > window.injectedAt);
        if (first) {
          window.recoveredAt = first.at;
          break;
        }
        await sleep(100);
      }
      if (window.recoveredAt === undefined) return;
      while (Date.now() < limit) {
        const since = Date.now() - QUIET_MS;
        const failed = answers.some((answer) => !isOk(answer) && answer.answeredAt >= since);
        const succeeded = successes.filter((success) => success.at >= since).length;
        const longEnough = Date.now() >= window.injectedAt + MIN_WINDOW_MS;
        if (longEnough && since >= window.recoveredAt && !failed && succeeded >= QUIET_LOGINS) {
          window.closedAt = Date.now();
          return;
        }
        await sleep(250);
      }
    },
    async stop(): Promise<void> {
      running = false;
      await Promise.all([...workers, policyWriter]);
    },
  };
}

async function expectHealthy(api: ApiClient): Promise<void> {
  let last: unknown;
  await expect
    .poll(
      async () => {
        const response = await api.get<{
          services: Record<string, { status: string; relay?: { state: string; lag: number } }>;
        }>('/health');
        last = response.body;
        return (
          response.status === 200 &&
          SERVICES.every((service) => {
            const { status, relay } = response.body.services[service] ?? { status: 'missing' };
            return status === 'up' && (relay?.state === 'running' || relay?.state === 'standby') && relay.lag === 0;
          })
        );
      },
      { timeout: 45_000, interval: 500, message: `not healthy: ${JSON.stringify(last)}` },
    )
    .toBe(true);
}

interface HistoryEvent {
  readonly type: string;
  readonly revision: number;
  readonly data: Record<string, unknown>;
}

async function mfaHistory(api: ApiClient, token: string, user: User): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  for (let fromRevision = 0; ;) {
    const page = await api.get<{ events: HistoryEvent[]; nextRevision: number | null }>(
      `/v1/admin/users/${user.id}/mfa/events?fromRevision=${fromRevision}`,
      { token },
    );
    if (page.status !== 200) throw new Error(`history of ${user.email}: ${page.status} ${JSON.stringify(page.body)}`);
    events.push(...page.body.events);
    if (page.body.nextRevision === null) return events;
    fromRevision = page.body.nextRevision;
  }
}

/** Every event of the service's SQLite file, read-only (the ops CLI's way), in global order. */
async function storedEvents(system: RunningSystem, service: Service): Promise<RecordedEvent[]> {
  const store = new SqliteEventStore(join(system.dataDir, `${service}.sqlite`), { readonly: true });
  try {
    const events: RecordedEvent[] = [];
    for await (const event of store.readAll()) events.push(event);
    return events;
  } finally {
    await store.close();
  }
}

/** Snapshot and relay checkpoint streams: truncated at the front as they grow. */
const isBookkeeping = (stream: string): boolean => isSnapshotStream(stream) || stream.startsWith('relay_checkpoint-');

/**
 * Each stream's revisions follow one another without a gap, from 0 but for
 * the bookkeeping streams.
 */
function expectGapFree(service: Service, events: readonly RecordedEvent[]): void {
  const byStream = new Map<string, number[]>();
  for (const event of events) byStream.set(event.stream, [...(byStream.get(event.stream) ?? []), event.revision]);
  for (const [stream, revisions] of byStream) {
    const first = isBookkeeping(stream) ? revisions[0]! : 0;
    expect(revisions, `${service}: ${stream}`).toEqual(revisions.map((_, i) => first + i));
  }
}

/**
 * The three integration topics from the beginning, as an internal subscriber
 * reads them (the subscriber principal, a group of its own), until every id in
 * `expected` has come or 60 s have passed; then 1 s more for copies. Keeps the
 * expected events only: the broker keeps earlier runs' events too.
 */
async function readTopics(
  broker: OwnKafkaBroker,
  expected: ReadonlySet<string>,
): Promise<Map<string, IntegrationEvent[]>> {
  const published = new Map<string, IntegrationEvent[]>();
  const connection = kafkaConnectionFor(broker.clients.subscriber);
  const subscriber = await startSubscriber(broker.clients.subscriber, {
    groupId: `subscriber-fault-kills-${run}`,
    topics: SERVICES.map((service) => prefixed(connection, INTEGRATION_TOPICS[service])),
    onMessage: (message) => {
      const event = JSON.parse(message.value?.toString() ?? 'null') as IntegrationEvent;
      if (!expected.has(event.eventId)) return;
      published.set(event.eventId, [...(published.get(event.eventId) ?? []), event]);
    },
  });
  try {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && published.size < expected.size) await sleep(250);
    await sleep(1_000);
    return published;
  } finally {
    await subscriber.close();
  }
}

/** Per source stream, the revisions in the order their events were first seen on the topics. */
function firstSeenRevisions(published: Map<string, IntegrationEvent[]>): Map<string, number[]> {
  const byStream = new Map<string, number[]>();
  for (const [first] of published.values()) {
    const { stream, revision } = first!.source;
    byStream.set(stream, [...(byStream.get(stream) ?? []), revision]);
  }
  return byStream;
}

function report(
  windows: readonly FaultWindow[],
  answers: readonly Answer[],
  succeeded: number,
  races: { run: number; oneAccepted: number; bothAccepted: number },
): void {
  const byStatus = new Map<string, number>();
  for (const { route, status } of answers)
    byStatus.set(`${route} ${status}`, (byStatus.get(`${route} ${status}`) ?? 0) + 1);
  const lines = windows.map((window) => {
    const failed = answers.filter((answer) => !isOk(answer) && overlaps(window, answer));
    const lastFailure = Math.max(window.injectedAt, ...failed.map((answer) => answer.answeredAt));
    return (
      `  ${window.name}: injected in ${seconds(window.injectedAt - window.startedAt)}; first login ` +
      `${window.recoveredAt === undefined ? 'NEVER' : `${seconds(window.recoveredAt - window.injectedAt)}`} after, ` +
      `last failure ${seconds(lastFailure - window.injectedAt)} after (${failed.length} failed answers); ` +
      `window ${window.closedAt === undefined ? 'NOT CLOSED' : seconds(window.closedAt - window.startedAt)}` +
      // What failed when (relative to the fault's injection): sent → answered.
      failed
        .slice(0, 30)
        .map(
          (answer) =>
            `\n      ${answer.route} ${answer.status}: ${seconds(answer.sentAt - window.injectedAt)} → ` +
            `${seconds(answer.answeredAt - window.injectedAt)}`,
        )
        .join('')
    );
  });
  console.info(
    [
      `process kills under ${WORKERS} login workers, ${USERS} users, every service twice:`,
      ...lines,
      `  full logins authenticated: ${succeeded}; races (one code, two tokens, both gateways): ${races.run}, ` +
        `${races.oneAccepted} accepted once, ${races.bothAccepted} twice`,
      `  answers by status: ${[...byStatus]
        .sort()
        .map(([key, count]) => `${key}: ${count}`)
        .join(', ')}`,
    ].join('\n'),
  );
}
