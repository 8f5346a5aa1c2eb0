/**
 * Full MFA login (`POST /v1/auth/login` + `POST /v1/auth/login/mfa`) over real
 * Kafka, the four apps as separate processes, at concurrency 16. A code step
 * passes once per user, so the load is spread over many users, each logging in
 * once. In the same run: argon2id verify throughput alone at concurrency 16 —
 * the floor every login pays — and `POST /v1/auth/refresh` of those sessions
 * (no argon2 on its path: aim for at least 10× the login rate). And the CPU a
 * full login costs all the system's processes (the broker's too, read from
 * /proc) over the CPU of one argon2id hash: argon2 should dominate a login.
 */
import { PasswordHasher } from '../apps/identity/src/passwords/password-hasher.js';
import {
  acquireKafkaBroker,
  apiClient,
  createUserWithMfa,
  currentStep,
  signInAdminWithMfa,
  REPO_ROOT,
  startSystem,
  totpAt,
  type UserWithMfa,
} from '#testing';
import { formatLoad, runLoad } from './lib/load.js';
import { cpuMsOf, pidsWhere } from './lib/process-cpu.js';

const USERS = Number(process.argv[2] ?? 240);
/** `embedded` for comparison: the same journey in one process, without Kafka. */
const MODE = process.argv[3] === 'embedded' ? 'embedded' : 'distributed';
const CONCURRENCY = 16;
const PASSWORD = 'benchmark-password-1';
const ADMIN = { email: 'admin@bench.example', password: 'benchmark-admin-password' };

const broker = await acquireKafkaBroker();
const system = await startSystem({
  mode: MODE,
  kafka: broker.clients,
  env: {
    BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
    BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
    LOGIN_RATE_LIMIT_PER_MINUTE: '1000000',
  },
});
try {
  const api = apiClient(system.baseUrl);
  // The admin enrols first: administration needs a sign-in with a code.
  const admin = (await signInAdminWithMfa(api, ADMIN)).accessToken;
  console.info(`setting up ${USERS} users with MFA active...`);
  const users: UserWithMfa[] = [];
  await runLoad(USERS, 4, async (index) => {
    users.push(await createUserWithMfa(api, admin, { email: `user${index}@bench.example`, password: PASSWORD }));
  });

  // The CPU every process of the system spends (the broker's too, over Kafka), not the load generator's.
  const systemPids = pidsWhere(
    (cmdline, environ) =>
      (cmdline.includes('dist/apps/') && environ.includes(`DATA_DIR=${system.dataDir}\n`)) ||
      // The repo's own broker (scripts/kafka-local.sh), not another one on the machine (a CI run's, the fault suite's).
      (MODE === 'distributed' && cmdline.includes(`${REPO_ROOT}/.cache/kafka/server.properties`)),
  );
  const refreshTokens: string[] = [];
  const cpuBeforeLogins = cpuMsOf(systemPids);
  const login = await runLoad(users.length, CONCURRENCY, async (index) => {
    const user = users[index]!;
    const first = await api.post('/v1/auth/login', { email: user.email, password: PASSWORD });
    const step = Math.max(currentStep(), user.activatedStep + 1);
    const second = await api.post('/v1/auth/login/mfa', {
      mfaToken: first.body.mfaToken,
      code: totpAt(user.secret, step),
    });
    if (second.body.status !== 'authenticated') throw new Error(`login failed: ${JSON.stringify(second.body)}`);
    refreshTokens[index] = String(second.body.refreshToken);
  });

  const cpuPerLoginMs = (cpuMsOf(systemPids) - cpuBeforeLogins) / users.length;

  // Each session refreshed 4 times, one refresh of a session at a time (a second one at once would be a replay).
  const sessions = refreshTokens.length;
  // A session's next refresh waits for its last one (with few sessions a worker may come round to it early).
  const lastRefresh = new Map<number, Promise<void>>();
  const refreshOnce = async (session: number) => {
    const answer = await api.post('/v1/auth/refresh', { refreshToken: refreshTokens[session] });
    if (answer.status !== 200) throw new Error(`refresh failed: ${JSON.stringify(answer.body)}`);
    refreshTokens[session] = String(answer.body.refreshToken);
  };
  const refresh = await runLoad(sessions * 4, CONCURRENCY, (index) => {
    const session = index % sessions;
    const next = (lastRefresh.get(session) ?? Promise.resolve()).then(() => refreshOnce(session));
    lastRefresh.set(session, next);
    return next;
  });

  // The floor: the identity service's own hasher (same parameters, same one-hash-per-CPU limit), nothing else.
  const hasher = new PasswordHasher();
  const stored = await hasher.hash(PASSWORD);
  const floor = await runLoad(users.length, CONCURRENCY, () => hasher.verify(stored, PASSWORD));
  // One hash's CPU, all threads of this process: argon2 runs on libuv's pool.
  const cpuBeforeHashes = process.cpuUsage();
  for (let i = 0; i < 20; i += 1) await hasher.verify(stored, PASSWORD);
  const { user, system: kernel } = process.cpuUsage(cpuBeforeHashes);
  const cpuPerHashMs = (user + kernel) / 1000 / 20;

  console.info(
    MODE === 'embedded'
      ? `full MFA login, embedded (one process, no Kafka), ${users.length} users`
      : `full MFA login over Kafka (${broker.source} broker), ${users.length} users`,
  );
  console.info(formatLoad('login + login/mfa', login));
  console.info(formatLoad('argon2id verify alone (floor)', floor));
  console.info(formatLoad('refresh', refresh));
  console.info(`refreshes/s ÷ logins/s = ${(refresh.perSecond / login.perSecond).toFixed(1)} (aim: ≥ 10)`);
  console.info(`logins/s ÷ argon2 verifies/s = ${(login.perSecond / floor.perSecond).toFixed(2)} (aim: ≥ 0.7)`);
  console.info(
    `CPU per full login ${cpuPerLoginMs.toFixed(1)} ms (${systemPids.length} processes` +
      `${MODE === 'distributed' ? (systemPids.length > 4 ? ', the broker included' : ', not the broker: not the repo’s own') : ''}) ` +
      `÷ one argon2id hash ${cpuPerHashMs.toFixed(1)} ms = ${(cpuPerLoginMs / cpuPerHashMs).toFixed(2)} ` +
      `(aim: ≤ ${MODE === 'distributed' ? '1.5' : '1.15'})`,
  );
} finally {
  await system.stop({ removeData: true });
  await broker.release();
}
