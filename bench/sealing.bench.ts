/**
 * What sealing passwords and codes costs a login (issue 7, item 3). A full
 * MFA login seals twice on its way through the bus — the password to identity
 * (`identity.verify-credentials`), the code to mfa (`mfa.verify-challenge`) —
 * and each receiving service opens once; an enrolment also seals its answer
 * (secret, URI and QR code) to a one-time key. Measured in-process with the
 * very functions the transport calls (`frameRequest` / `openRequest` /
 * `sealReply` / `openReply`), beside one argon2id verify at the product's
 * parameters: the floor of every login.
 *
 *   npm run build && node dist/bench/run.js sealing
 */
import { performance } from 'node:perf_hooks';
import { IdentityRpc, MfaRpc, type Rpc } from '#contracts';
import { frameRequest, generateSealingKey, openRequest, sealReply, SealingKeyRing } from '#messaging';
import { PasswordHasher } from '../apps/identity/src/passwords/password-hasher.js';
import { quantile } from './lib/load.js';

const ROUNDS = 7;
const PER_ROUND = Number(process.argv[2] ?? 400);

const keys = { identity: new SealingKeyRing(generateSealingKey()), mfa: new SealingKeyRing(generateSealingKey()) };
const recipients = { identity: () => keys.identity.current, mfa: () => keys.mfa.current };
const timeoutMs = 5000;

/** One request through the bus: framed and sealed by the caller, opened by the service (JSON in between). */
function roundTrip(rpc: Rpc, payload: unknown, ring: SealingKeyRing): void {
  const framed = frameRequest(rpc, payload, { recipients, timeoutMs });
  openRequest(rpc, JSON.parse(JSON.stringify(framed.envelope)), ring);
}

function enrolmentRoundTrip(): void {
  const framed = frameRequest(
    MfaRpc.startEnrollment,
    { userId: 'u1', label: 'ada@example.com' },
    { recipients, timeoutMs },
  );
  const { meta } = openRequest(MfaRpc.startEnrollment, JSON.parse(JSON.stringify(framed.envelope)), null);
  const value = sealReply(MfaRpc.startEnrollment, meta, {
    secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
    otpauthUri: 'otpauth://totp/Acme:ada%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Acme',
    qrCode: `data:image/png;base64,${'A'.repeat(1800)}`,
    expiresAt: new Date().toISOString(),
  });
  framed.openReply(JSON.parse(JSON.stringify({ ok: true, value })));
}

/** Median and best µs per call over ROUNDS rounds of PER_ROUND calls. */
function measure(call: () => void): { medianUs: number; bestUs: number } {
  for (let i = 0; i < 50; i += 1) call();
  const perCall: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const started = performance.now();
    for (let i = 0; i < PER_ROUND; i += 1) call();
    perCall.push(((performance.now() - started) / PER_ROUND) * 1000);
  }
  perCall.sort((a, b) => a - b);
  return { medianUs: quantile(perCall, 0.5), bestUs: perCall[0]! };
}

const password = measure(() =>
  roundTrip(
    IdentityRpc.verifyCredentials,
    {
      email: 'ada@example.com',
      password: 'correct horse battery',
      addressAllowed: true,
      context: { ip: '::1', userAgent: 'b' },
    },
    keys.identity,
  ),
);
const code = measure(() =>
  roundTrip(MfaRpc.verifyChallenge, { userId: 'u1', code: '123456', context: { ip: '::1', userAgent: 'b' } }, keys.mfa),
);
const unsealed = measure(() => roundTrip(MfaRpc.getStatus, { userId: 'u1' }, keys.mfa));
const enrolment = measure(enrolmentRoundTrip);

const hasher = new PasswordHasher();
const hash = await hasher.hash('correct horse battery');
const argon2Ms: number[] = [];
for (let i = 0; i < 40; i += 1) {
  const started = performance.now();
  await hasher.verify(hash, 'correct horse battery');
  argon2Ms.push(performance.now() - started);
}
argon2Ms.sort((a, b) => a - b);
const argon2MedianUs = quantile(argon2Ms, 0.5) * 1000;

const row = (label: string, f: { medianUs: number; bestUs: number }) =>
  console.info(`${label.padEnd(58)} ${f.medianUs.toFixed(1).padStart(8)} µs  (best ${f.bestUs.toFixed(1)} µs)`);
row('identity.verify-credentials: seal + open the password', password);
row('mfa.verify-challenge: seal + open the code', code);
row('mfa.get-status: framing only, nothing sealed', unsealed);
row('mfa.start-enrollment: request + reply sealed to a one-time key', enrolment);
const perLoginUs = password.medianUs + code.medianUs - 2 * unsealed.medianUs;
console.info(
  `argon2id verify (m=19 MiB, t=2, p=1), median of 40`.padEnd(58),
  `${(argon2MedianUs / 1000).toFixed(2).padStart(8)} ms`,
);
console.info(
  `sealing per full MFA login: ${perLoginUs.toFixed(0)} µs = ${((perLoginUs / argon2MedianUs) * 100).toFixed(1)}% of one argon2 verify ` +
    `(a login costs more than its verify, so less of the login)`,
);
