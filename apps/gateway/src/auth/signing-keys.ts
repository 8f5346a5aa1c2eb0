import { Logger } from '@nestjs/common';
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import { join } from 'node:path';
import { readOrCreateKeyFile } from '#config';

export interface VerificationKey {
  readonly kid: string;
  readonly publicKey: KeyObject;
}

export interface SigningKeys {
  readonly current: VerificationKey & { readonly privateKey: KeyObject };
  /** Current and previous public keys, by `kid`: what JWKS publishes and verification accepts. */
  readonly verification: ReadonlyMap<string, VerificationKey>;
}

export const JWT_ALGORITHM = 'ES256';

/** RFC 7638 thumbprint of the public key: a `kid` that names the key without revealing anything. */
function keyId(publicKey: KeyObject): string {
  const { crv, kty, x, y } = publicKey.export({ format: 'jwk' });
  return createHash('sha256').update(JSON.stringify({ crv, kty, x, y })).digest('base64url');
}

function assertP256(key: KeyObject, name: string): void {
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new Error(`${name} must be an EC P-256 key (ES256)`);
  }
}

/**
 * ES256 keys: `JWT_PRIVATE_KEY` (PKCS#8 PEM) in production; otherwise a key
 * generated once into DATA_DIR, with a warning. `JWT_PREVIOUS_PUBLIC_KEYS`
 * (concatenated PEMs) keep tokens signed before a rotation verifiable.
 */
export function loadSigningKeys(options: {
  privateKeyPem?: string;
  previousPublicKeysPem?: string;
  dataDir: string;
}): SigningKeys {
  const privateKey = createPrivateKey(options.privateKeyPem ?? developmentKeyPem(options.dataDir));
  assertP256(privateKey, 'JWT_PRIVATE_KEY');
  const publicKey = createPublicKey(privateKey);
  const current = { kid: keyId(publicKey), publicKey, privateKey };
  const previous = (
    options.previousPublicKeysPem?.match(/-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/g) ?? []
  ).map((pem) => {
    const key = createPublicKey(pem);
    assertP256(key, 'JWT_PREVIOUS_PUBLIC_KEYS');
    return { kid: keyId(key), publicKey: key };
  });
  return { current, verification: new Map([current, ...previous].map((key) => [key.kid, key])) };
}

function developmentKeyPem(dataDir: string): string {
  const path = join(dataDir, 'jwt-signing-key.pem');
  const { contents } = readOrCreateKeyFile(path, () =>
    generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
  );
  new Logger('SigningKeys').warn(`JWT_PRIVATE_KEY unset: using the development signing key in ${path}`);
  return contents;
}

export function toJwk({ kid, publicKey }: VerificationKey): JsonWebKey {
  return { ...publicKey.export({ format: 'jwk' }), kid, alg: JWT_ALGORITHM, use: 'sig' };
}
