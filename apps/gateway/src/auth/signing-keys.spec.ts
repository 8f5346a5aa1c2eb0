import { Logger } from '@nestjs/common';
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { signingKeyPem } from '../gateway.testing.js';
import { loadSigningKeys, toJwk } from './signing-keys.js';

const publicPemOf = (privatePem: string) =>
  createPublicKey(privatePem).export({ format: 'pem', type: 'spki' }).toString();

/** RFC 7638: SHA-256 of the required members, in lexicographic order, without whitespace. */
function rfc7638Thumbprint(key: KeyObject): string {
  const { crv, x, y } = key.export({ format: 'jwk' });
  return createHash('sha256').update(`{"crv":"${crv}","kty":"EC","x":"${x}","y":"${y}"}`).digest('base64url');
}

describe('loadSigningKeys', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'signing-keys-spec-'));
  });
  afterEach(() => {
    vi.restoreAllMocks();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('signs with JWT_PRIVATE_KEY, named by its RFC 7638 thumbprint', () => {
    const pem = signingKeyPem();

    const { current, verification } = loadSigningKeys({ privateKeyPem: pem, dataDir });

    expect(current.privateKey.export({ format: 'pem', type: 'pkcs8' })).toBe(pem);
    expect(current.kid).toBe(rfc7638Thumbprint(createPublicKey(pem)));
    expect([...verification.keys()]).toEqual([current.kid]);
  });

  it('keeps each previous public key verifiable under its own kid, after the current one', () => {
    const [first, second] = [signingKeyPem(), signingKeyPem()];

    const { current, verification } = loadSigningKeys({
      privateKeyPem: signingKeyPem(),
      previousPublicKeysPem: `${publicPemOf(first)}\n${publicPemOf(second)}`,
      dataDir,
    });

    expect([...verification.keys()]).toEqual([
      current.kid,
      rfc7638Thumbprint(createPublicKey(first)),
      rfc7638Thumbprint(createPublicKey(second)),
    ]);
  });

  it.each([
    ['an RSA key', () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey],
    ['a P-384 key', () => generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey],
  ])('refuses %s, as the private or a previous key', (_, generate) => {
    const wrongKey = generate();
    const privatePem = wrongKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const publicPem = createPublicKey(wrongKey).export({ format: 'pem', type: 'spki' }).toString();

    expect(() => loadSigningKeys({ privateKeyPem: privatePem, dataDir })).toThrow(
      'JWT_PRIVATE_KEY must be an EC P-256 key (ES256)',
    );
    expect(() =>
      loadSigningKeys({ privateKeyPem: signingKeyPem(), previousPublicKeysPem: publicPem, dataDir }),
    ).toThrow('JWT_PREVIOUS_PUBLIC_KEYS must be an EC P-256 key (ES256)');
  });

  it('without JWT_PRIVATE_KEY, generates a private development key once into DATA_DIR, with a warning', () => {
    const warn = vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);

    const first = loadSigningKeys({ dataDir });
    const again = loadSigningKeys({ dataDir });

    const path = join(dataDir, 'jwt-signing-key.pem');
    expect(again.current.kid).toBe(first.current.kid);
    expect(createPrivateKey(readFileSync(path, 'utf8')).asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(warn).toHaveBeenCalledWith(`JWT_PRIVATE_KEY unset: using the development signing key in ${path}`);
  });

  it('publishes the public half only in JWKS form, with its kid, algorithm and use', () => {
    const { current } = loadSigningKeys({ privateKeyPem: signingKeyPem(), dataDir });

    expect(toJwk(current)).toEqual({
      kty: 'EC',
      crv: 'P-256',
      x: expect.any(String),
      y: expect.any(String),
      kid: current.kid,
      alg: 'ES256',
      use: 'sig',
    });
  });
});
