import { createHash, randomBytes, randomUUID } from 'node:crypto';

/**
 * A refresh token is `<sessionId>.<256 random bits, base64url>`: the session
 * it belongs to, and a secret. Clients treat it as opaque. The gateway makes
 * it, hands it to the client and forgets it; identity is sent, and stores,
 * only its SHA-256, so the token never crosses the bus, sealed or not.
 *
 * Why a plain SHA-256 and not argon2, as for passwords: a slow, salted hash
 * protects secrets a person chose, which an attacker holding the hashes can
 * guess; 256 random bits cannot be guessed at any hashing speed (2^255 tries on
 * average), so a leaked hash gives nothing, and without a salt there is no
 * precomputed table to fear either. A fast hash also keeps a refresh cheap: no
 * argon2 on the path every client takes every few minutes.
 */
const SECRET_BYTES = 32;

export interface MintedRefreshToken {
  readonly sessionId: string;
  readonly refreshToken: string;
  readonly refreshTokenHash: string;
}

/** A token for a session: a new one (a sign-in) when no id is given, else the next of that session (a refresh). */
export function mintRefreshToken(sessionId: string = randomUUID()): MintedRefreshToken {
  const refreshToken = `${sessionId}.${randomBytes(SECRET_BYTES).toString('base64url')}`;
  return { sessionId, refreshToken, refreshTokenHash: refreshTokenHashOf(refreshToken) };
}

export function refreshTokenHashOf(refreshToken: string): string {
  return createHash('sha256').update(refreshToken).digest('base64url');
}

/** The session a token names (the `refreshToken` schema has checked its shape); its secret is checked by hash. */
export function sessionIdOf(refreshToken: string): string {
  return refreshToken.slice(0, refreshToken.indexOf('.'));
}
