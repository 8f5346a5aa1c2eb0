/**
 * What one MFA code check costs in-process, against its floor.
 *
 * A check, as the mfa service does it: decrypt the sealed secret (AES-256-GCM),
 * match the code over the window of 3 time-steps (otplib HOTP with the
 * node:crypto plugin), decide (the pure decider). The floor is three HMAC-SHA1
 * computations with node:crypto and nothing else. Also measured: each part
 * alone, and the window computed with otplib's default (pure JavaScript,
 * @noble/hashes) crypto plugin, to show why the service does not use it.
 *
 * Run (Node 20 does not strip types, so compile first, into dist so that
 * node_modules resolves):
 *   npx swc bench/mfa-verify-cost.bench.ts apps/mfa/src -d dist --config-file .swcrc \
 *     && node dist/bench/mfa-verify-cost.bench.js [iterations]
 */
import { createHmac } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { generateSync, ScureBase32Plugin } from 'otplib';
import type { MfaEnrollmentCommand } from '../apps/mfa/src/mfa-enrollment/mfa-enrollment.commands.js';
import { ACCEPTED_DRIFT_STEPS, mfaEnrollmentDecider } from '../apps/mfa/src/mfa-enrollment/mfa-enrollment.decider.js';
import { stateFrom } from '../apps/mfa/src/mfa-enrollment/mfa-enrollment.state.js';
import { generateEncryptionKey, SecretCipher } from '../apps/mfa/src/totp/secret-cipher.js';
import { codeAt, DEFAULT_TOTP_PARAMETERS, generateSecret, matchStep, timeStep } from '../apps/mfa/src/totp/totp.js';
import { quantile } from './lib/load.js';

const ITERATIONS = Number(process.argv[2] ?? 20_000);
const ROUNDS = 7;
const USER_ID = 'user-bench';

// ---- fixture: an active enrollment, a right code at `now` ----------------------

const cipher = new SecretCipher({ current: generateEncryptionKey() });
const secret = generateSecret();
const sealed = cipher.encrypt(secret, USER_ID);
const activatedAt = new Date('2025-06-02T10:00:05Z');
const now = new Date(activatedAt.getTime() + 10 * 60_000);
const activeStep = timeStep(activatedAt, DEFAULT_TOTP_PARAMETERS.period);
const state = stateFrom([
  {
    type: 'MfaEnrollmentStarted',
    data: {
      enrollmentId: 'enr-bench',
      secret: sealed,
      ...DEFAULT_TOTP_PARAMETERS,
      issuer: 'Bench',
      label: 'bench@example.com',
      startedAt: new Date(activatedAt.getTime() - 60_000).toISOString(),
      expiresAt: new Date(activatedAt.getTime() + 540_000).toISOString(),
    },
  },
  {
    type: 'MfaActivated',
    data: {
      enrollmentId: 'enr-bench',
      activatedAt: activatedAt.toISOString(),
      steps: [activeStep - 1, activeStep],
    },
  },
]);
const decider = mfaEnrollmentDecider();
const code = codeAt({ secret, now, ...DEFAULT_TOTP_PARAMETERS });
const wrongCode = code === '000000' ? '000001' : '000000';
const context = { ip: '127.0.0.1', userAgent: 'bench' };
const challengeId = '6f1c0f5e-4b8e-4c1e-9a51-1d6a4f1e2b3c';
const key = new ScureBase32Plugin().decode(secret);
const currentStep = timeStep(now, DEFAULT_TOTP_PARAMETERS.period);

// Sinks, so the work cannot be optimised away.
let sink = 0;

// ---- the candidates --------------------------------------------------------------

function fullCheck(typed: string): void {
  if (state.status !== 'active') throw new Error('fixture is not active');
  const { secret: stored, algorithm, digits, period } = state.enrollment;
  const plaintext = cipher.decrypt(stored, USER_ID);
  const matchedStep = matchStep({
    secret: plaintext,
    code: typed,
    now,
    algorithm,
    digits,
    period,
    window: ACCEPTED_DRIFT_STEPS,
  });
  const command: MfaEnrollmentCommand = { type: 'VerifyChallenge', data: { now, matchedStep, challengeId, context } };
  sink += decider.decide(command, state).length;
}

function rawThreeHmacs(): void {
  const counter = Buffer.alloc(8);
  for (let step = currentStep - 1; step <= currentStep + 1; step += 1) {
    counter.writeBigUInt64BE(BigInt(step));
    sink += createHmac('sha1', key).update(counter).digest()[19]!;
  }
}

function otplibNobleWindow(): void {
  for (let step = currentStep - 1; step <= currentStep + 1; step += 1) {
    sink += generateSync({ strategy: 'hotp', secret: key, counter: step, digits: 6 }).length;
  }
}

const CANDIDATES: ReadonlyArray<readonly [name: string, run: () => void]> = [
  ['floor: 3 x HMAC-SHA1 (node:crypto)', rawThreeHmacs],
  ['full check, right code', () => fullCheck(code)],
  ['full check, wrong code', () => fullCheck(wrongCode)],
  ['  decrypt only (AES-256-GCM)', () => (sink += cipher.decrypt(sealed, USER_ID).length)],
  [
    '  matchStep only (otplib + node:crypto)',
    () => (sink += matchStep({ secret, code, now, ...DEFAULT_TOTP_PARAMETERS }) ?? 0),
  ],
  [
    '  decide only',
    () =>
      (sink += decider.decide(
        { type: 'VerifyChallenge', data: { now, matchedStep: currentStep, challengeId, context } },
        state,
      ).length),
  ],
  ['otplib default plugin (noble), 3 steps', otplibNobleWindow],
];

// ---- measurement ----------------------------------------------------------------------

/** ns/op of one round of `ITERATIONS` calls. */
function timeRound(run: () => void): number {
  const start = performance.now();
  for (let i = 0; i < ITERATIONS; i += 1) run();
  return ((performance.now() - start) * 1e6) / ITERATIONS;
}

// Rounds are interleaved across candidates so that background load hits them alike.
const samples = new Map<string, number[]>(CANDIDATES.map(([name]) => [name, []]));
for (const [, run] of CANDIDATES) for (let i = 0; i < Math.min(ITERATIONS, 2_000); i += 1) run(); // warm-up
for (let round = 0; round < ROUNDS; round += 1) {
  for (const [name, run] of CANDIDATES) samples.get(name)!.push(timeRound(run));
}

const stats = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return { min: sorted[0]!, median: quantile(sorted, 0.5) };
};
const floor = stats(samples.get(CANDIDATES[0]![0])!);
console.log(`MFA code check cost, node ${process.version}, ${ITERATIONS} iterations x ${ROUNDS} rounds`);
console.log(
  `${''.padEnd(42)} ${'min ns/op'.padStart(10)} ${'x floor'.padStart(8)} ${'median'.padStart(10)} ${'x floor'.padStart(8)}`,
);
for (const [name, values] of samples) {
  const { min, median } = stats(values);
  console.log(
    `${name.padEnd(42)} ${min.toFixed(0).padStart(10)} ${(min / floor.min).toFixed(2).padStart(8)} ` +
      `${median.toFixed(0).padStart(10)} ${(median / floor.median).toFixed(2).padStart(8)}`,
  );
}
if (sink === 42) console.log('');
