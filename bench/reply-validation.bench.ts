/**
 * What checking a reply against its contract costs the caller. `ServiceClient`
 * runs `rpc.result.safeParse` on every reply before using it; measured here for
 * typical replies: a user (`identity.get-user`), a login decision
 * (`policy.evaluate-login`) and a full page of the MFA audit history
 * (`mfa.get-history`, 500 events). For scale, beside each: `JSON.parse` of the
 * same reply, which every reply pays anyway on its way in from Kafka.
 *
 * Run (Node 20 does not strip types; the build compiles bench/ too):
 *   npm run build && node dist/bench/run.js reply-validation
 * or alone: node dist/bench/reply-validation.bench.js [milliseconds per round]
 */
import { performance } from 'node:perf_hooks';
import {
  IdentityRpc,
  MFA_HISTORY_PAGE_SIZE,
  MfaRpc,
  ok,
  PolicyRpc,
  type LoginDecision,
  type MfaHistoryView,
  type Rpc,
  type UserView,
} from '#contracts';
import { quantile } from './lib/load.js';

const ROUND_MS = Number(process.argv[2] ?? 200);
const ROUNDS = 7;

// ---- typical replies, as they arrive (JSON text) -------------------------------------

const user: UserView = {
  id: '3f1c9a52-7d44-4c1e-9a0b-5b6f1e2d8c11',
  email: 'ada.lovelace@accounting.example.com',
  orgId: '9b2e4f60-1a3d-4b7c-8e5f-0c6d7a8b9e21',
  roles: ['accounting', 'billing'],
};

const decision: LoginDecision = { allowed: true, mfaRequired: true, enrollmentRequired: false };

const context = {
  ip: '2001:db8:85a3::8a2e:370:7334',
  userAgent:
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
};
const start = Date.parse('2025-06-02T10:00:00Z');
const at = (i: number) => new Date(start + i * 60_000).toISOString();
/** A long-used enrolment: started, activated, then code checks, one in ten refused. */
const history: MfaHistoryView = {
  events: Array.from({ length: MFA_HISTORY_PAGE_SIZE }, (_, i) => {
    if (i === 0) {
      return {
        type: 'MfaEnrollmentStarted',
        revision: 0,
        occurredAt: at(0),
        data: {
          enrollmentId: 'enr-1',
          keyId: 'k-2025-06',
          algorithm: 'SHA1',
          digits: 6,
          period: 30,
          issuer: 'totp-mfa',
          label: user.email,
          startedAt: at(0),
          expiresAt: at(10),
        },
      };
    }
    if (i === 1) {
      return {
        type: 'MfaActivated',
        revision: 1,
        occurredAt: at(1),
        data: { enrollmentId: 'enr-1', activatedAt: at(1), steps: [58_320_001, 58_320_002] },
      };
    }
    const step = 58_320_002 + i * 2;
    return i % 10 === 0
      ? {
          type: 'MfaChallengeFailed',
          revision: i,
          occurredAt: at(i),
          data: {
            purpose: 'login',
            reason: 'invalid_code',
            failedAt: at(i),
            consecutiveFailures: 1,
            lockedUntil: null,
            context,
          },
        }
      : {
          type: 'MfaChallengeVerified',
          revision: i,
          occurredAt: at(i),
          data: { step, verifiedAt: at(i), context },
        };
  }),
  nextRevision: MFA_HISTORY_PAGE_SIZE,
};

const REPLIES: ReadonlyArray<{ readonly name: string; readonly rpc: Rpc; readonly json: string }> = [
  { name: 'identity.get-user (UserView)', rpc: IdentityRpc.getUser, json: JSON.stringify(ok(user)) },
  { name: 'policy.evaluate-login (LoginDecision)', rpc: PolicyRpc.evaluateLogin, json: JSON.stringify(ok(decision)) },
  {
    name: `mfa.get-history (MfaHistoryView, ${MFA_HISTORY_PAGE_SIZE} events)`,
    rpc: MfaRpc.getHistory,
    json: JSON.stringify(ok(history)),
  },
];

// Sinks, so the work cannot be optimised away.
let sink = 0;

const candidates = REPLIES.map(({ name, rpc, json }) => {
  const reply: unknown = JSON.parse(json);
  if (!rpc.result.safeParse(reply).success) throw new Error(`${name}: the fixture breaks its contract`);
  return {
    name,
    bytes: json.length,
    validate: () => (sink += rpc.result.safeParse(reply).success ? 1 : 0),
    parse: () => (sink += JSON.parse(json) ? 1 : 0),
  };
});

// ---- measurement ----------------------------------------------------------------------

/** ns per call over one round of at least ROUND_MS (batches double until then). */
function timeRound(run: () => void): number {
  let calls = 0;
  let elapsed = 0;
  const started = performance.now();
  for (let batch = 1; elapsed < ROUND_MS; batch *= 2) {
    for (let i = 0; i < batch; i += 1) run();
    calls += batch;
    elapsed = performance.now() - started;
  }
  return (elapsed * 1e6) / calls;
}

const runs = candidates.flatMap(({ validate, parse }) => [validate, parse]);
for (const run of runs) timeRound(run); // warm-up
// Rounds are interleaved across candidates so that background load hits them alike.
const samples = runs.map(() => [] as number[]);
for (let round = 0; round < ROUNDS; round += 1) runs.forEach((run, index) => samples[index]!.push(timeRound(run)));
const sorted = (index: number) => [...samples[index]!].sort((a, b) => a - b);
const micros = (ns: number, width: number) => (ns / 1000).toFixed(2).padStart(width);

console.log(`Reply validation (rpc.result.safeParse), node ${process.version}, ${ROUNDS} rounds of >= ${ROUND_MS} ms`);
console.log(
  `${'reply'.padEnd(48)} ${'bytes'.padStart(7)} ${'validate µs: median'.padStart(20)} ${'min'.padStart(8)} ` +
    `${'validations/s'.padStart(14)} ${'JSON.parse µs'.padStart(14)} ${'ratio'.padStart(6)}`,
);
candidates.forEach(({ name, bytes }, index) => {
  const validate = sorted(2 * index);
  const parse = quantile(sorted(2 * index + 1), 0.5);
  const median = quantile(validate, 0.5);
  console.log(
    `${name.padEnd(48)} ${String(bytes).padStart(7)} ${micros(median, 20)} ${micros(validate[0]!, 8)} ` +
      `${Math.round(1e9 / median)
        .toLocaleString('en')
        .padStart(14)} ${micros(parse, 14)} ${(median / parse).toFixed(2).padStart(6)}`,
  );
});
if (sink === 42) console.log('');
