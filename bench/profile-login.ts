/**
 * Not part of `npm run bench`: a tool to see where a full MFA login's CPU goes.
 * Sets up users, then profiles every process of the system (V8's sampling
 * profiler, started and stopped by SIGWINCH through `lib/profile-hook.js`) while
 * they log in at concurrency 16, and prints each process's CPU per login (the
 * broker's from /proc) and the places and functions its samples fell in.
 *
 * With `refresh`, the users log in first, unprofiled, and what is profiled is
 * `POST /v1/auth/refresh` of their sessions, 4 each.
 *
 *   npm run build && node dist/bench/profile-login.js [users=96] [embedded|distributed] [top=25] [login|refresh]
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  acquireKafkaBroker,
  apiClient,
  createUserWithMfa,
  currentStep,
  signInAdminWithMfa,
  startSystem,
  totpAt,
  type UserWithMfa,
} from '#testing';
import { profileSummary, topLines } from './lib/cpu-profile.js';
import { runLoad } from './lib/load.js';
import { CpuMeter, formatBreakdown } from './lib/cpu-meter.js';
import { loadClient } from './lib/load-client.js';

const USERS = Number(process.argv[2] ?? 96);
const MODE = process.argv[3] === 'embedded' ? 'embedded' : 'distributed';
const TOP = Number(process.argv[4] ?? 25);
const PHASE = process.argv[5] === 'refresh' ? 'refresh' : 'login';
const PASSWORD = 'benchmark-password-1';
const ADMIN = { email: 'admin@bench.example', password: 'benchmark-admin-password' };
const profileDir = mkdtempSync(join(tmpdir(), 'login-profile-'));

const broker = await acquireKafkaBroker();
const system = await startSystem({
  mode: MODE,
  kafka: broker.clients,
  env: {
    BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
    BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
    LOGIN_RATE_LIMIT_PER_MINUTE: '1000000',
    NODE_OPTIONS: `--import=${join(import.meta.dirname, 'lib', 'profile-hook.js')}`,
    PROFILE_DIR: profileDir,
    ...(process.env['EVENTSTORE_URL'] ? { EVENTSTORE_URL: process.env['EVENTSTORE_URL'] } : {}),
  },
});
try {
  const api = apiClient(system.baseUrl);
  const admin = (await signInAdminWithMfa(api, ADMIN)).accessToken;
  const users: UserWithMfa[] = [];
  await runLoad(USERS, 4, async (index) => {
    users.push(await createUserWithMfa(api, admin, { email: `user${index}@bench.example`, password: PASSWORD }));
  });
  const meter = new CpuMeter({ dataDir: system.dataDir, broker: MODE === 'distributed' });
  const profiled = [...meter.read()].filter(([, { group }]) => group !== 'kafka broker');
  const signal = () => profiled.forEach(([pid]) => process.kill(pid, 'SIGWINCH'));
  const client = loadClient(system.baseUrl, 16);
  const logIn = async (user: UserWithMfa): Promise<string> => {
    const first = await client.post('/v1/auth/login', { email: user.email, password: PASSWORD });
    const code = totpAt(user.secret, Math.max(currentStep(), user.activatedStep + 1));
    const second = await client.post('/v1/auth/login/mfa', { mfaToken: first.body.mfaToken, code });
    if (second.body.status !== 'authenticated') throw new Error(`login failed: ${JSON.stringify(second.body)}`);
    return String(second.body.refreshToken);
  };
  const refreshTokens: string[] = [];
  if (PHASE === 'refresh')
    await runLoad(users.length, 16, async (index) => (refreshTokens[index] = await logIn(users[index]!)));
  signal();
  await new Promise((resolve) => setTimeout(resolve, 500));
  const before = meter.read();
  const units = PHASE === 'login' ? users.length : users.length * 4;
  // One refresh of a session at a time (a second one at once would be a replay): each waits for the last.
  const lastRefresh = new Map<number, Promise<void>>();
  const refreshOnce = async (session: number) => {
    const answer = await client.post('/v1/auth/refresh', { refreshToken: refreshTokens[session] });
    if (answer.status !== 200) throw new Error(`refresh failed: ${JSON.stringify(answer.body)}`);
    refreshTokens[session] = String(answer.body.refreshToken);
  };
  const load = await runLoad(units, 16, (index) => {
    if (PHASE === 'login') return logIn(users[index]!);
    const session = index % users.length;
    const next = (lastRefresh.get(session) ?? Promise.resolve()).then(() => refreshOnce(session));
    lastRefresh.set(session, next);
    return next;
  });
  const perUnit = CpuMeter.spentPer(before, meter.read(), units);
  client.close();
  signal();
  await new Promise((resolve) => setTimeout(resolve, 2000));
  console.info(
    `${units} ${PHASE === 'login' ? 'full MFA logins' : 'refreshes'} (${MODE}), ${load.perSecond.toFixed(1)}/s`,
  );
  console.info(`CPU per ${PHASE} (ms, /proc): ${formatBreakdown(perUnit.byGroup)}`);
  for (const file of readdirSync(profileDir)) {
    const pid = Number(file.split('.')[0]);
    const label = profiled.find(([profiledPid]) => profiledPid === pid)?.[1].group ?? String(pid);
    const { totalMs, byPlace, byFunction } = profileSummary(join(profileDir, file));
    console.info(`\n--- ${label}: ${(totalMs / units).toFixed(1)} ms of samples per ${PHASE}`);
    console.info(topLines(byPlace, totalMs, TOP).join('\n'));
    console.info('  functions:');
    console.info(topLines(byFunction, totalMs, TOP).join('\n'));
  }
  console.info(`\nprofiles in ${profileDir} (open in Chrome DevTools or speedscope)`);
} finally {
  await system.stop({ removeData: true });
  await broker.release();
}
