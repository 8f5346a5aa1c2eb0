import { Inject, Injectable } from '@nestjs/common';
import jwt from 'jsonwebtoken';
import { randomUUID } from 'node:crypto';
import { DomainError, MFA_TOKEN_TTL_SECONDS, type AuthMethod } from '#contracts';
import { CONFIG, type GatewayConfig } from '#config';
import { JWT_ALGORITHM, loadSigningKeys, toJwk, type SigningKeys } from './signing-keys.js';

export const TOKEN_ISSUER = 'totp-mfa';

/**
 * Four kinds of token, told apart by audience so none can stand in for another:
 * `access` (the API), `mfa` (only `POST /v1/auth/login/mfa`), `enrollment`
 * (only `GET /v1/me` and MFA set-up, for users who must enrol before anything else),
 * `password-change` (only `POST /v1/me/password`, for users whose password an admin set).
 */
export type TokenKind = 'access' | 'mfa' | 'enrollment' | 'password-change';

export const AUDIENCE: Record<TokenKind, string> = {
  access: 'totp-mfa:api',
  mfa: 'totp-mfa:login-mfa',
  enrollment: 'totp-mfa:mfa-enrollment',
  'password-change': 'totp-mfa:password-change',
};

/** Access tokens are short-lived (a session's refresh token gets the next one); a revoked session's last one is refused by the guard. */
export const ACCESS_TOKEN_TTL_SECONDS = 5 * 60;

const TTL_SECONDS: Record<TokenKind, number> = {
  access: ACCESS_TOKEN_TTL_SECONDS,
  mfa: MFA_TOKEN_TTL_SECONDS,
  enrollment: 15 * 60,
  'password-change': 5 * 60,
};

/** `pwd`, then `otp` (a TOTP code) or `rec` (a recovery code): the session contract's `authMethod`. */
export type { AuthMethod } from '#contracts';

export interface Principal {
  readonly kind: TokenKind;
  readonly sub: string;
  readonly org: string;
  readonly roles: readonly string[];
  readonly amr: readonly AuthMethod[];
  /** `sid`: the session of an access token (none on other kinds): refused once the session is revoked. */
  readonly sid?: string;
  /** `auth_time` (epoch seconds): when the user signed in (the password step); kept through refreshes. */
  readonly authTime?: number;
  /** `iat` (epoch seconds) of an access token, as verified. */
  readonly issuedAt?: number;
}

/** A verified `mfa` token: its principal, and its id, which the mfa service lets verify one code only. */
export interface MfaChallenge extends Principal {
  readonly challengeId: string;
}

export interface IssuedToken {
  readonly token: string;
  readonly expiresIn: number;
}

@Injectable()
export class TokenService {
  readonly keys: SigningKeys;

  constructor(@Inject(CONFIG) config: GatewayConfig) {
    this.keys = loadSigningKeys({
      privateKeyPem: config.JWT_PRIVATE_KEY,
      previousPublicKeysPem: config.JWT_PREVIOUS_PUBLIC_KEYS,
      dataDir: config.DATA_DIR,
    });
  }

  issue(kind: TokenKind, claims: Omit<Principal, 'kind' | 'issuedAt'>): IssuedToken {
    const expiresIn = TTL_SECONDS[kind];
    const payload = {
      org: claims.org,
      roles: claims.roles,
      amr: claims.amr,
      ...(claims.sid ? { sid: claims.sid } : {}),
      ...(claims.authTime !== undefined ? { auth_time: claims.authTime } : {}),
    };
    const token = jwt.sign(payload, this.keys.current.privateKey, {
      algorithm: JWT_ALGORITHM,
      keyid: this.keys.current.kid,
      subject: claims.sub,
      audience: AUDIENCE[kind],
      issuer: TOKEN_ISSUER,
      expiresIn,
      jwtid: randomUUID(),
    });
    return { token, expiresIn };
  }

  /** The public key a token names by `kid`, or undefined (then verification fails). */
  publicKeyFor(token: string) {
    const decoded = jwt.decode(token, { complete: true });
    const kid = decoded && typeof decoded === 'object' ? decoded.header.kid : undefined;
    return kid ? this.keys.verification.get(kid)?.publicKey : undefined;
  }

  /** Verifies an `mfa` token from a request body (access tokens go through passport-jwt). */
  verifyMfaToken(token: string): MfaChallenge {
    const key = this.publicKeyFor(token);
    try {
      if (!key) throw new Error('unknown key');
      const payload = jwt.verify(token, key, {
        algorithms: [JWT_ALGORITHM],
        audience: AUDIENCE.mfa,
        issuer: TOKEN_ISSUER,
      }) as jwt.JwtPayload;
      if (typeof payload.jti !== 'string') throw new Error('no token id');
      return { ...toPrincipal('mfa', payload), challengeId: payload.jti };
    } catch {
      throw new DomainError('invalid_mfa_token', 'the MFA token is invalid or has expired; log in again');
    }
  }

  jwks() {
    return { keys: [...this.keys.verification.values()].map(toJwk) };
  }
}

export function toPrincipal(kind: TokenKind, payload: jwt.JwtPayload): Principal {
  return {
    kind,
    sub: String(payload.sub),
    org: String(payload.org),
    roles: Array.isArray(payload.roles) ? payload.roles.map(String) : [],
    amr: Array.isArray(payload.amr) ? (payload.amr.map(String) as AuthMethod[]) : [],
    ...(typeof payload['sid'] === 'string' ? { sid: payload['sid'] } : {}),
    ...(typeof payload['auth_time'] === 'number' ? { authTime: payload['auth_time'] } : {}),
  };
}
