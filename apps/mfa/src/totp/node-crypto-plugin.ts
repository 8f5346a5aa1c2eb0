import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { AlgorithmUnsupportedError, type CryptoPlugin, type HashAlgorithm } from 'otplib';

/**
 * otplib's crypto plugin backed by node:crypto. otplib's default plugin
 * (`@noble/hashes`) is pure JavaScript and several times slower than the native
 * HMAC (see bench/mfa-verify-cost.bench.ts); `@otplib/plugin-crypto-node` is not
 * a dependency, and this is all it would do. otplib still does the RFC 4226
 * work (counter encoding, dynamic truncation, digits).
 */
const NODE_DIGESTS: Readonly<Record<HashAlgorithm, string>> = { sha1: 'sha1', sha256: 'sha256', sha512: 'sha512' };

const isHashAlgorithm = (value: string): value is HashAlgorithm => Object.hasOwn(NODE_DIGESTS, value);

/** otplib asks plugins to accept 'SHA1', 'sha-1', 'SHA_256'... and refuse anything else. */
function digestName(algorithm: string): string {
  const canonical = algorithm.toLowerCase().replace(/^sha[-_]/, 'sha');
  if (!isHashAlgorithm(canonical)) throw new AlgorithmUnsupportedError(algorithm);
  return NODE_DIGESTS[canonical];
}

export const nodeCryptoPlugin: CryptoPlugin = Object.freeze({
  name: 'node',
  hmac(algorithm: HashAlgorithm, key: Uint8Array, data: Uint8Array): Uint8Array {
    return new Uint8Array(createHmac(digestName(algorithm), key).update(data).digest());
  },
  randomBytes(length: number): Uint8Array {
    return new Uint8Array(randomBytes(length));
  },
  constantTimeEqual(a: string | Uint8Array, b: string | Uint8Array): boolean {
    const left = typeof a === 'string' ? Buffer.from(a, 'utf8') : Buffer.from(a);
    const right = typeof b === 'string' ? Buffer.from(b, 'utf8') : Buffer.from(b);
    return left.length === right.length && timingSafeEqual(left, right);
  },
});
