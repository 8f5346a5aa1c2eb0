/**
 * `ops reencrypt`: every user's TOTP secret sealed again under the current
 * MFA_ENCRYPTION_KEY, so a previous key can be retired (README, "Rotating the
 * MFA encryption key"). It writes: one `MfaSecretResealed` per user whose
 * secret is under another key, through the mfa service's own use case
 * (apps/mfa/src/secret-resealing) and repository, with the mfa service's key
 * configuration. Safe to interrupt (Ctrl-C stops after the user at hand; a
 * kill loses at most that user's append, which is atomic) and to run again
 * (a secret already under the current key is skipped), also while the
 * services run (an append is at the expected revision; a conflict is decided
 * again on the new state).
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { loadConfig, type MfaConfig } from '#config';
import { MFA_STREAM_PREFIX } from '../../../mfa/src/mfa-enrollment/mfa-enrollment.events.js';
import { MfaEnrollmentRepository } from '../../../mfa/src/mfa-enrollment/mfa-enrollment.repository.js';
import { operatorKeyRing } from '../../../mfa/src/secret-resealing/operator-key-ring.js';
import { SecretResealing, type ResealOutcome } from '../../../mfa/src/secret-resealing/secret-resealing.js';
import type { SecretCipher } from '../../../mfa/src/totp/secret-cipher.js';
import { count, type OpsIo } from '../ops-io.js';
import { progressBar } from '../progress-bar.js';
import { openWritableSources, type WritableStore } from '../writable-stores.js';

/** How many failures the report lists one by one. */
const LISTED_FAILURES = 50;

interface Failure {
  readonly userId: string;
  readonly message: string;
}

/** `ops reencrypt` as typed: no argument, no option but `--help`. */
export async function reencryptCommand(args: readonly string[], io: OpsIo): Promise<number> {
  if (args.length === 1 && (args[0] === '--help' || args[0] === '-h')) {
    await io.out(REENCRYPT_USAGE);
    return 0;
  }
  if (args.length > 0) {
    io.err.write(`ops: reencrypt takes no argument\n\n${REENCRYPT_USAGE}`);
    return 2;
  }
  return reencrypt(io);
}

const REENCRYPT_USAGE = `usage: ops reencrypt

WRITES: reseals every TOTP secret in use under MFA_ENCRYPTION_KEY, with the mfa service's key configuration
(MFA_ENCRYPTION_KEY, MFA_PREVIOUS_ENCRYPTION_KEYS) and store (DATA_DIR's mfa.sqlite, read-write, or EVENTSTORE_URL).
`;

export async function reencrypt(io: OpsIo): Promise<number> {
  let config: MfaConfig;
  let cipher: SecretCipher;
  try {
    config = loadConfig('mfa', keysAndStoreOf(io.env));
    cipher = operatorKeyRing(config);
  } catch (error) {
    io.err.write(`ops: reencrypt: ${messageOf(error)}\n`);
    return 2;
  }
  const location = { dataDir: config.DATA_DIR, eventStoreUrl: config.EVENTSTORE_URL?.trim() || undefined };
  const [source] = openWritableSources(location, ['mfa']);
  if (!source) {
    io.err.write(`ops: reencrypt: no mfa.sqlite under DATA_DIR (${location.dataDir}), and no EVENTSTORE_URL\n`);
    return 2;
  }
  try {
    return await resealAll(source.store, config, cipher, io);
  } catch (error) {
    // The store's own message (a locked file, a lost connection): never a secret.
    io.err.write(`ops: reencrypt failed: ${messageOf(error)}\n`);
    return 2;
  } finally {
    await source.store.close();
  }
}

async function resealAll(store: WritableStore, config: MfaConfig, cipher: SecretCipher, io: OpsIo): Promise<number> {
  const started = Date.now();
  const users = await mfaUsersOf(store);
  const resealing = new SecretResealing(new MfaEnrollmentRepository(store, config), cipher);
  const outcomes: Record<ResealOutcome, number> = { resealed: 0, already_current: 0, no_secret: 0 };
  const failures: Failure[] = [];
  /** Previous keys still hashing unused recovery codes, and of how many users. */
  const recoveryCodeKeys = new Map<string, number>();

  let interrupted = false;
  const interrupt = () => void (interrupted = true);
  // Every Ctrl-C (not the first alone) only asks to stop: the loop ends after the user at hand anyway.
  process.on('SIGINT', interrupt);
  const progress = progressBar(io, 'reencrypt', users.length, 'users');
  let done = 0;
  try {
    for (const userId of users) {
      // A turn of the event loop per user: on SQLite every await resolves at once, and Ctrl-C must get a look in.
      await nextTurn();
      if (interrupted) break;
      try {
        const { outcome, recoveryCodesKeyId } = await resealing.reseal(userId);
        outcomes[outcome] += 1;
        if (recoveryCodesKeyId !== null) {
          recoveryCodeKeys.set(recoveryCodesKeyId, (recoveryCodeKeys.get(recoveryCodesKeyId) ?? 0) + 1);
        }
      } catch (error) {
        // A secret that does not open (its key is not in the ring, or it was tampered with), or conflicts to the end.
        failures.push({ userId, message: messageOf(error) });
      }
      done += 1;
      progress.increment();
    }
  } finally {
    progress.stop();
    process.off('SIGINT', interrupt);
  }

  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const lines = [
    `reencrypt: ${count(done)} of ${count(users.length)} users, sealed under key ${cipher.currentKeyId}, in ${seconds} s`,
    `  resealed:          ${count(outcomes.resealed)}`,
    `  already current:   ${count(outcomes.already_current)}`,
    `  no secret in use:  ${count(outcomes.no_secret)} (no enrollment, or a set-up that expired)`,
    `  failed:            ${count(failures.length)}`,
  ];
  for (const [keyId, holders] of recoveryCodeKeys) {
    lines.push(
      `recovery codes: key ${keyId} still hashes the unused recovery codes of ${count(holders)} user${holders === 1 ? '' : 's'}. ` +
        'They cannot be re-keyed without the codes: keep the key in MFA_PREVIOUS_ENCRYPTION_KEYS until those users ' +
        'make new ones, or their codes stop working once it goes',
    );
  }
  const stopped = interrupted && done < users.length;
  if (stopped) {
    lines.push(`INTERRUPTED: ${count(users.length - done)} users not looked at; run reencrypt again to finish`);
  }
  if (failures.length > 0) {
    lines.push(`FAILED: ${count(failures.length)} user${failures.length === 1 ? '' : 's'}`);
    for (const { userId, message } of failures.slice(0, LISTED_FAILURES)) {
      lines.push(`  ${MFA_STREAM_PREFIX}${userId}: ${message}`);
    }
    if (failures.length > LISTED_FAILURES) lines.push(`  ... and ${count(failures.length - LISTED_FAILURES)} more`);
  } else if (!stopped) {
    lines.push(
      recoveryCodeKeys.size === 0
        ? `OK: every secret in use is under key ${cipher.currentKeyId}: previous keys can be retired`
        : `OK: every secret in use is under key ${cipher.currentKeyId}`,
    );
  }
  await io.out(`${lines.join('\n')}\n`);
  return failures.length > 0 || stopped ? 1 : 0;
}

/** Every user with an MFA stream, in the order their streams began. */
async function mfaUsersOf(store: WritableStore): Promise<string[]> {
  const users = new Set<string>();
  for await (const event of store.readAll({ streamPrefixes: [MFA_STREAM_PREFIX] })) {
    users.add(event.stream);
  }
  return [...users].map((stream) => stream.slice(MFA_STREAM_PREFIX.length));
}

/**
 * What of the environment reencrypt reads, validated by the mfa service's own
 * rules: its store and its key ring, nothing else (not the sealing keys or the
 * Kafka login a production mfa process must also have: ops needs neither).
 */
function keysAndStoreOf(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const names = ['DATA_DIR', 'EVENTSTORE_URL', 'MFA_ENCRYPTION_KEY', 'MFA_PREVIOUS_ENCRYPTION_KEYS'] as const;
  return Object.fromEntries(names.flatMap((name) => (env[name] === undefined ? [] : [[name, env[name]]])));
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
