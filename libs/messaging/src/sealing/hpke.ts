/**
 * HPKE (RFC 9180) in base mode, single-shot, with DHKEM(X25519, HKDF-SHA256),
 * HKDF-SHA256 and AES-256-GCM, on node:crypto only. Written out rather than
 * taken from a library: the maintained one (@hpke/core) goes through WebCrypto
 * and costs several times more per seal here, on the login's hot path
 * (bench/sealing.bench.ts); the spec checks this code against the RFC's test
 * vectors and against @hpke/core.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';

export type Aead = 'aes-128-gcm' | 'aes-256-gcm';

const KEM_ID = 0x0020; // DHKEM(X25519, HKDF-SHA256)
const KDF_ID = 0x0001; // HKDF-SHA256
const AEAD = { 'aes-128-gcm': { id: 0x0001, keyLength: 16 }, 'aes-256-gcm': { id: 0x0002, keyLength: 32 } } as const;
const NONCE_LENGTH = 12;
const TAG_LENGTH = 16;
const HPKE_V1 = Buffer.from('HPKE-v1');
const MODE_BASE = 0x00;

// Keys move between node:crypto KeyObjects and the raw 32 bytes HPKE serialises through JWK, which
// node:crypto imports and exports ~10x faster than DER (a seal and an open each do one of each); a
// private key comes in as DER because its JWK would need the public half too (once, at start-up).
const PKCS8_X25519_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

export interface Sealed {
  /** The sender's encapsulated ephemeral public key. */
  readonly enc: Buffer;
  /** Ciphertext with the 16-byte GCM tag appended. */
  readonly ct: Buffer;
}

export interface SealParameters {
  /** Binds the context to its purpose (RFC 9180 `info`). */
  readonly info: Buffer;
  /** Associated data: what the ciphertext must travel with (pattern, request id, field). */
  readonly aad: Buffer;
}

/** Opening failed: wrong key, or the ciphertext, `enc`, `info` or `aad` were changed. Says nothing more. */
export class SealOpenFailed extends Error {
  override readonly name = 'SealOpenFailed';
  constructor() {
    super('the sealed value cannot be opened');
  }
}

export const generateX25519KeyPair = (): { publicKey: KeyObject; privateKey: KeyObject } =>
  generateKeyPairSync('x25519');

export const rawPublicKey = (key: KeyObject): Buffer => Buffer.from(key.export({ format: 'jwk' }).x!, 'base64url');
export const rawPrivateKey = (key: KeyObject): Buffer => Buffer.from(key.export({ format: 'jwk' }).d!, 'base64url');

export function x25519PublicKey(raw: Buffer): KeyObject {
  if (raw.length !== 32) throw new RangeError('an X25519 public key is 32 bytes');
  return createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: raw.toString('base64url') }, format: 'jwk' });
}

export function x25519PrivateKey(raw: Buffer): KeyObject {
  if (raw.length !== 32) throw new RangeError('an X25519 private key is 32 bytes');
  return createPrivateKey({ key: Buffer.concat([PKCS8_X25519_PREFIX, raw]), format: 'der', type: 'pkcs8' });
}

const i2osp = (value: number, length: number): Buffer => {
  const out = Buffer.alloc(length);
  out.writeUIntBE(value, 0, length);
  return out;
};

const extract = (salt: Buffer, ikm: Buffer): Buffer => createHmac('sha256', salt).update(ikm).digest();

function expand(prk: Buffer, info: Buffer, length: number): Buffer {
  const blocks: Buffer[] = [];
  let previous = Buffer.alloc(0);
  for (let counter = 1; Buffer.concat(blocks).length < length; counter += 1) {
    previous = createHmac('sha256', prk)
      .update(Buffer.concat([previous, info, Buffer.from([counter])]))
      .digest();
    blocks.push(previous);
  }
  return Buffer.concat(blocks).subarray(0, length);
}

const labeledExtract = (suiteId: Buffer, salt: Buffer, label: string, ikm: Buffer): Buffer =>
  extract(salt, Buffer.concat([HPKE_V1, suiteId, Buffer.from(label), ikm]));

const labeledExpand = (suiteId: Buffer, prk: Buffer, label: string, info: Buffer, length: number): Buffer =>
  expand(prk, Buffer.concat([i2osp(length, 2), HPKE_V1, suiteId, Buffer.from(label), info]), length);

const KEM_SUITE_ID = Buffer.concat([Buffer.from('KEM'), i2osp(KEM_ID, 2)]);
const EMPTY = Buffer.alloc(0);

function sharedSecret(dh: Buffer, enc: Buffer, recipientPublic: Buffer): Buffer {
  const prk = labeledExtract(KEM_SUITE_ID, EMPTY, 'eae_prk', dh);
  return labeledExpand(KEM_SUITE_ID, prk, 'shared_secret', Buffer.concat([enc, recipientPublic]), 32);
}

const suiteIdOf = (aead: Aead): Buffer =>
  Buffer.concat([Buffer.from('HPKE'), i2osp(KEM_ID, 2), i2osp(KDF_ID, 2), i2osp(AEAD[aead].id, 2)]);

/** The key schedule context depends on the suite and `info` only: computed once per pair (there are a few). */
const contexts = new Map<string, Buffer>();
function keyScheduleContext(aead: Aead, info: Buffer): Buffer {
  const cacheKey = `${aead}:${info.toString('hex')}`;
  let context = contexts.get(cacheKey);
  if (!context) {
    const suiteId = suiteIdOf(aead);
    context = Buffer.concat([
      Buffer.from([MODE_BASE]),
      labeledExtract(suiteId, EMPTY, 'psk_id_hash', EMPTY),
      labeledExtract(suiteId, EMPTY, 'info_hash', info),
    ]);
    if (contexts.size < 64) contexts.set(cacheKey, context);
  }
  return context;
}

/** RFC 9180 §5.1, base mode: the AEAD key and nonce for one single-shot seal. */
export function keySchedule(aead: Aead, shared: Buffer, info: Buffer): { key: Buffer; nonce: Buffer } {
  const suiteId = suiteIdOf(aead);
  const context = keyScheduleContext(aead, info);
  const secret = labeledExtract(suiteId, shared, 'secret', EMPTY);
  return {
    key: labeledExpand(suiteId, secret, 'key', context, AEAD[aead].keyLength),
    nonce: labeledExpand(suiteId, secret, 'base_nonce', context, NONCE_LENGTH),
  };
}

/**
 * Seals `plaintext` to `recipient`. `ephemeral` is for the RFC's test vectors
 * only: a real seal makes a fresh key pair every time.
 */
export function seal(
  recipient: KeyObject,
  plaintext: Buffer,
  { info, aad }: SealParameters,
  aead: Aead = 'aes-256-gcm',
  ephemeral: KeyObject = generateX25519KeyPair().privateKey,
): Sealed {
  const enc = rawPublicKey(createPublicKey(ephemeral));
  const dh = diffieHellman({ privateKey: ephemeral, publicKey: recipient });
  const { key, nonce } = keySchedule(aead, sharedSecret(dh, enc, rawPublicKey(recipient)), info);
  const cipher = createCipheriv(aead, key, nonce, { authTagLength: TAG_LENGTH }).setAAD(aad);
  return { enc, ct: Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]) };
}

export function open(
  recipient: KeyObject,
  { enc, ct }: Sealed,
  { info, aad }: SealParameters,
  aead: Aead = 'aes-256-gcm',
): Buffer {
  try {
    if (ct.length < TAG_LENGTH) throw new SealOpenFailed();
    const dh = diffieHellman({ privateKey: recipient, publicKey: x25519PublicKey(enc) });
    const { key, nonce } = keySchedule(aead, sharedSecret(dh, enc, rawPublicKey(createPublicKey(recipient))), info);
    const decipher = createDecipheriv(aead, key, nonce, { authTagLength: TAG_LENGTH }).setAAD(aad);
    decipher.setAuthTag(ct.subarray(ct.length - TAG_LENGTH));
    return Buffer.concat([decipher.update(ct.subarray(0, ct.length - TAG_LENGTH)), decipher.final()]);
  } catch {
    throw new SealOpenFailed();
  }
}
