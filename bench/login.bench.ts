/**
 * Full MFA login (`POST /v1/auth/login` + `POST /v1/auth/login/mfa`) at
 * concurrency 16, side by side in one run, in each way the product runs:
 *  - `embedded`: one process, in-process transport, SQLite;
 *  - `kafka-sqlite`: the four apps as processes over real Kafka, SQLite stores;
 *  - `kafka-postgres`: the same over PostgreSQL (a fresh database per run, each
 *    service in its own schema; dropped afterwards).
 * A code step passes once per user, so the load is spread over many users,
 * each logging in once. For each: logins/s; the CPU a login costs every
 * process of the system (the apps, the Kafka broker's JVM, the PostgreSQL
 * backends of its database; read from /proc) over the CPU of one argon2id hash
 * at the product's parameters, measured beside it (aim: ≤ 1.15 embedded,
 * ≤ 1.5 over Kafka: argon2 should dominate a login); then `POST
 * /v1/auth/refresh` of those sessions (no argon2 on its path: aim ≥ 10× the
 * login rate).
 *
 *   node dist/bench/login.bench.js [users] [modes]
 * users: BENCH_LOGIN_USERS or 64; modes: BENCH_LOGIN_MODES or
 * embedded,kafka-sqlite,kafka-postgres; POSTGRES_URL as the e2e tests.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { PasswordHasher } from '../apps/identity/src/passwords/password-hasher.js';
import {
  acquireKafkaBroker,
  apiClient,
  createUserWithMfa,
  currentStep,
  signInAdminWithMfa,
  startSystem,
  totpAt,
  type KafkaBroker,
  type UserWithMfa,
} from '#testing';
import { brokerJit, CpuMeter, formatBreakdown } from './lib/cpu-meter.js';
import { loadClient } from './lib/load-client.js';
import { formatLoad, runLoad, type LoadFigures } from './lib/load.js';

type Mode = 'embedded' | 'kafka-sqlite' | 'kafka-postgres';
const MODES: readonly Mode[] = ['embedded', 'kafka-sqlite', 'kafka-postgres'];
const USERS = Number(process.argv[2] ?? process.env['BENCH_LOGIN_USERS'] ?? 64);
const selected = (process.argv[3] ?? process.env['BENCH_LOGIN_MODES'] ?? MODES.join(',')).split(',').map((mode) => {
  if (!MODES.includes(mode as Mode)) throw new Error(`unknown mode ${mode}: ${MODES.join(', ')}`);
  return mode as Mode;
});
const CONCURRENCY = 16;
const REFRESHES_PER_SESSION = 4;
const PASSWORD = 'benchmark-password-1';
const ADMIN = { email: 'admin@bench.example', password: 'benchmark-admin-password' };
const POSTGRES_URL = process.env['POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const AIM: Record<Mode, number> = { embedded: 1.15, 'kafka-sqlite': 1.5, 'kafka-postgres': 1.5 };

interface Figures {
  readonly mode: Mode;
  readonly login: LoadFigures;
  readonly refresh: LoadFigures;
  readonly floor: LoadFigures;
  readonly cpuPerLoginMs: number;
  readonly cpuPerRefreshMs: number;
  readonly cpuPerHashMs: number;
}

async function onPostgres(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function measure(mode: Mode, broker: KafkaBroker | undefined): Promise<Figures> {
  const database = mode === 'kafka-postgres' ? `bench_${randomUUID().slice(0, 8)}` : undefined;
  if (database) await onPostgres(`CREATE DATABASE "${database}"`);
  const system = await startSystem({
    mode: mode === 'embedded' ? 'embedded' : 'distributed',
    kafka: broker?.clients,
    env: {
      BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
      BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
      LOGIN_RATE_LIMIT_PER_MINUTE: '1000000',
      ...(database ? { EVENTSTORE_URL: POSTGRES_URL.replace(/\/[^/?]*(\?|$)/, `/${database}$1`) } : {}),
    },
    readyTimeoutMs: 120_000,
  });
  try {
    const api = apiClient(system.baseUrl);
    // The admin enrols first: administration needs a sign-in with a code.
    const admin = (await signInAdminWithMfa(api, ADMIN)).accessToken;
    console.info(`\n${mode}: setting up ${USERS} users with MFA active...`);
    const users: UserWithMfa[] = [];
    await runLoad(USERS, 8, async (index) => {
      users.push(await createUserWithMfa(api, admin, { email: `user${index}@bench.example`, password: PASSWORD }));
    });

    // The floor, beside it: the identity service's own hasher (same parameters, same one-hash-per-CPU
    // limit), nothing else. One hash's CPU (all threads of this process: argon2 runs on libuv's pool)
    // is read over hashes before the logins and after the refreshes: it moves with the machine's load.
    const hasher = new PasswordHasher();
    const stored = await hasher.hash(PASSWORD);
    const hashCpu = { ms: 0, hashes: 0 };
    const hashes = async (count: number, concurrency: number) => {
      const before = process.cpuUsage();
      const figures = await runLoad(count, concurrency, () => hasher.verify(stored, PASSWORD));
      const { user, system: kernel } = process.cpuUsage(before);
      hashCpu.ms += (user + kernel) / 1000;
      hashCpu.hashes += count;
      return figures;
    };
    await hashes(users.length, CONCURRENCY);

    const meter = new CpuMeter({ dataDir: system.dataDir, broker: mode !== 'embedded', database });
    const load = loadClient(system.baseUrl, CONCURRENCY);
    const refreshTokens: string[] = [];
    // The load generator's own CPU, told apart from the system's (not in the ratios): it shares the cores.
    const clientCpuMs = (since: NodeJS.CpuUsage) => {
      const { user, system: kernel } = process.cpuUsage(since);
      return (user + kernel) / 1000;
    };
    const clientBeforeLogins = process.cpuUsage();
    const beforeLogins = meter.read();
    const login = await runLoad(users.length, CONCURRENCY, async (index) => {
      const user = users[index]!;
      const first = await load.post('/v1/auth/login', { email: user.email, password: PASSWORD });
      const step = Math.max(currentStep(), user.activatedStep + 1);
      const second = await load.post('/v1/auth/login/mfa', {
        mfaToken: first.body.mfaToken,
        code: totpAt(user.secret, step),
      });
      if (second.body.status !== 'authenticated') throw new Error(`login failed: ${JSON.stringify(second.body)}`);
      refreshTokens[index] = String(second.body.refreshToken);
    });
    const perLogin = CpuMeter.spentPer(beforeLogins, meter.read(), users.length);
    const clientPerLogin = clientCpuMs(clientBeforeLogins) / users.length;

    // Each session refreshed a few times, one refresh of a session at a time (a second one at once
    // would be a replay): a session's next refresh waits for its last one.
    const sessions = refreshTokens.length;
    const lastRefresh = new Map<number, Promise<void>>();
    const refreshOnce = async (session: number) => {
      const answer = await load.post('/v1/auth/refresh', { refreshToken: refreshTokens[session] });
      if (answer.status !== 200) throw new Error(`refresh failed: ${JSON.stringify(answer.body)}`);
      refreshTokens[session] = String(answer.body.refreshToken);
    };
    const clientBeforeRefreshes = process.cpuUsage();
    const beforeRefreshes = meter.read();
    const refresh = await runLoad(sessions * REFRESHES_PER_SESSION, CONCURRENCY, (index) => {
      const session = index % sessions;
      const next = (lastRefresh.get(session) ?? Promise.resolve()).then(() => refreshOnce(session));
      lastRefresh.set(session, next);
      return next;
    });
    const perRefresh = CpuMeter.spentPer(beforeRefreshes, meter.read(), sessions * REFRESHES_PER_SESSION);
    const clientPerRefresh = clientCpuMs(clientBeforeRefreshes) / (sessions * REFRESHES_PER_SESSION);
    load.close();

    const floor = await hashes(users.length, CONCURRENCY);
    await hashes(20, 1);
    const cpuPerHashMs = hashCpu.ms / hashCpu.hashes;

    console.info(formatLoad(`${mode}: login + login/mfa`, login));
    console.info(formatLoad(`${mode}: refresh`, refresh));
    console.info(formatLoad(`${mode}: argon2id verify alone (floor)`, floor));
    console.info(`${mode}: CPU per login (ms): ${formatBreakdown(perLogin.byGroup)}`);
    console.info(`${mode}: CPU per refresh (ms): ${formatBreakdown(perRefresh.byGroup)}`);
    console.info(
      `${mode}: the load generator's own CPU (not counted above): ${clientPerLogin.toFixed(2)} ms a login, ${clientPerRefresh.toFixed(2)} ms a refresh`,
    );
    return {
      mode,
      login,
      refresh,
      floor,
      cpuPerLoginMs: perLogin.total,
      cpuPerRefreshMs: perRefresh.total,
      cpuPerHashMs,
    };
  } finally {
    await system.stop({ removeData: true });
    if (database) await onPostgres(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  }
}

const broker = selected.some((mode) => mode !== 'embedded') ? await acquireKafkaBroker() : undefined;
const results: Figures[] = [];
try {
  for (const mode of selected) results.push(await measure(mode, broker));
} finally {
  await broker?.release();
}

const cell = (text: string, width: number) => text.padStart(width);
console.info(
  `\nfull MFA login, ${USERS} users, concurrency ${CONCURRENCY}${broker ? `; Kafka: ${broker.source} broker, ${broker.secured ? 'TLS + SCRAM' : 'plaintext'}, ${brokerJit()}` : ''}`,
);
console.info(
  `${'mode'.padEnd(15)}${cell('logins/s', 9)}${cell('CPU/login', 11)}${cell('argon2', 9)}${cell('ratio', 7)}${cell('aim', 7)}` +
    `${cell('refresh/s', 11)}${cell('CPU/refresh', 13)}${cell('refresh÷login', 15)}`,
);
for (const r of results) {
  console.info(
    `${r.mode.padEnd(15)}${cell(r.login.perSecond.toFixed(1), 9)}${cell(`${r.cpuPerLoginMs.toFixed(1)} ms`, 11)}` +
      `${cell(`${r.cpuPerHashMs.toFixed(1)} ms`, 9)}${cell((r.cpuPerLoginMs / r.cpuPerHashMs).toFixed(2), 7)}` +
      `${cell(`≤ ${AIM[r.mode]}`, 7)}${cell(r.refresh.perSecond.toFixed(0), 11)}` +
      `${cell(`${r.cpuPerRefreshMs.toFixed(1)} ms`, 13)}${cell(`${(r.refresh.perSecond / r.login.perSecond).toFixed(1)} (≥ 10)`, 15)}`,
  );
}
