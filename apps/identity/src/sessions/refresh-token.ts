import { createHash, randomBytes } from 'node:crypto';

/**
 * A refresh token is `<sessionId>.<256 random bits, base64url>`: the session
 * it belongs to, and a secret. Clients treat it as opaque. Identity stores
 * only its SHA-256.
 *
 * Why a plain SHA-256 and not argon2, as for passwords: a slow, salted hash
 * protects secrets a person chose, which an attacker holding the hashes can
 * guess; 256 random bits cannot be guessed at any hashing speed (2^255 tries on
 * average), so a leaked hash gives nothing, and without a salt there is no
 * precomputed table to fear either. A fast hash also keeps a refresh cheap: no
 * argon2 on the path every client takes every few minutes.
 */
const SECRET_BYTES = 32;

export function newRefreshToken(sessionId: string): string {
  return `${sessionId}.${randomBytes(SECRET_BYTES).toString('base64url')}`;
}

export function refreshTokenHash(refreshToken: string): string {
  return createHash('sha256').update(refreshToken).digest('base64url');
}

/** The session a token names (the contract has checked its shape); its secret is checked by hash. */
export function sessionIdOf(refreshToken: string): string {
  return refreshToken.slice(0, refreshToken.indexOf('.'));
}
