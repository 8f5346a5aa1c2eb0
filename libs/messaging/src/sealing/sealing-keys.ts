/**
 * The X25519 keys fields are sealed to on the bus. Each service that receives
 * sealed fields (identity: passwords, mfa: codes) holds its private key
 * (`<SERVICE>_SEALING_PRIVATE_KEY`, earlier ones in
 * `<SERVICE>_SEALING_PREVIOUS_PRIVATE_KEYS` so requests sealed before a
 * rotation still open); the gateway holds only their public keys
 * (`<SERVICE>_SEALING_PUBLIC_KEY`). Without them (development), a service
 * generates its key into DATA_DIR once and writes the public half beside it,
 * which a gateway sharing that DATA_DIR reads. Keys are named by their id, never
 * shown.
 */
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readOrCreateKeyFile } from '#config';
import { generateX25519KeyPair, rawPrivateKey, rawPublicKey, x25519PrivateKey, x25519PublicKey } from './hpke.js';

export type SealingService = 'identity' | 'mfa';

export interface SealingRecipient {
  readonly kid: string;
  readonly publicKey: KeyObject;
}

/** A key's id: 16 hex digits of the SHA-256 of its raw public key. */
export const sealingKeyId = (publicKey: KeyObject): string =>
  createHash('sha256').update(rawPublicKey(publicKey)).digest('hex').slice(0, 16);

export class InvalidSealingKey extends Error {
  override readonly name = 'InvalidSealingKey';
}

function decodeKey(base64: string, name: string): Buffer {
  const raw = Buffer.from(base64.trim(), 'base64');
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(base64.trim()) || raw.length !== 32) {
    throw new InvalidSealingKey(`${name} must be the base64 of a 32-byte X25519 key`);
  }
  return raw;
}

/** A base64 X25519 private key (32 random bytes: `openssl rand -base64 32` will do). */
export const generateSealingKey = (): string => rawPrivateKey(generateX25519KeyPair().privateKey).toString('base64');

export class SealingKeyRing {
  readonly current: SealingRecipient & { readonly privateKey: KeyObject };
  private readonly byKid: ReadonlyMap<string, KeyObject>;

  constructor(current: string, previous: readonly string[] = [], name = 'sealing key') {
    const privateKeys = [current, ...previous].map((key) => x25519PrivateKey(decodeKey(key, name)));
    const [privateKey] = privateKeys;
    const publicKey = createPublicKey(privateKey!);
    this.current = { kid: sealingKeyId(publicKey), publicKey, privateKey: privateKey! };
    this.byKid = new Map(privateKeys.map((key) => [sealingKeyId(createPublicKey(key)), key]));
  }

  privateKey(kid: string): KeyObject | undefined {
    return this.byKid.get(kid);
  }
}

const keyFile = (dataDir: string, service: SealingService) => join(dataDir, `${service}-sealing.key`);
const publicKeyFile = (dataDir: string, service: SealingService) => join(dataDir, `${service}-sealing.pub`);

export interface LoadedSealingKeyRing {
  readonly ring: SealingKeyRing;
  /** Set when the key is a development key from DATA_DIR. */
  readonly developmentKeyFile?: string;
}

export function loadSealingKeyRing(
  service: SealingService,
  options: { readonly privateKey?: string; readonly previous?: readonly string[]; readonly dataDir: string },
): LoadedSealingKeyRing {
  const name = `${service.toUpperCase()}_SEALING_PRIVATE_KEY`;
  if (options.privateKey) return { ring: new SealingKeyRing(options.privateKey, options.previous, name) };
  const path = keyFile(options.dataDir, service);
  const { contents } = readOrCreateKeyFile(path, () => `${generateSealingKey()}\n`);
  const ring = new SealingKeyRing(contents, options.previous, path);
  // The same contents whoever writes it, so racing starts agree.
  readOrCreateKeyFile(
    publicKeyFile(options.dataDir, service),
    () => `${rawPublicKey(ring.current.publicKey).toString('base64')}\n`,
  );
  return { ring, developmentKeyFile: path };
}

/**
 * The key a caller seals to for `service`: `publicKey` (base64) when configured,
 * else the development public key a service sharing DATA_DIR wrote, read when
 * first needed (the service may start after the caller).
 */
export function sealingRecipient(
  service: SealingService,
  options: { readonly publicKey?: string; readonly dataDir: string },
): () => SealingRecipient {
  let recipient: SealingRecipient | undefined;
  return () => {
    if (recipient) return recipient;
    const name = `${service.toUpperCase()}_SEALING_PUBLIC_KEY`;
    let base64 = options.publicKey;
    if (!base64) {
      const path = publicKeyFile(options.dataDir, service);
      try {
        base64 = readFileSync(path, 'utf8');
      } catch {
        throw new InvalidSealingKey(`${name} is not set and ${path} does not exist (yet)`);
      }
    }
    const publicKey = x25519PublicKey(decodeKey(base64, name));
    recipient = { kid: sealingKeyId(publicKey), publicKey };
    return recipient;
  };
}

/** The keys a caller seals to, from its configuration (or the development keys of a shared DATA_DIR). */
export const sealingRecipientsOf = (config: {
  readonly IDENTITY_SEALING_PUBLIC_KEY?: string | undefined;
  readonly MFA_SEALING_PUBLIC_KEY?: string | undefined;
  readonly DATA_DIR: string;
}): Record<SealingService, () => SealingRecipient> => ({
  identity: sealingRecipient('identity', { publicKey: config.IDENTITY_SEALING_PUBLIC_KEY, dataDir: config.DATA_DIR }),
  mfa: sealingRecipient('mfa', { publicKey: config.MFA_SEALING_PUBLIC_KEY, dataDir: config.DATA_DIR }),
});
