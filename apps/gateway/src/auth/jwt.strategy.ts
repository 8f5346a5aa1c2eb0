import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import type { JwtPayload } from 'jsonwebtoken';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { JWT_ALGORITHM } from './signing-keys.js';
import { AUDIENCE, TOKEN_ISSUER, toPrincipal, TokenService, type Principal } from './token.service.js';

/**
 * Bearer tokens through passport-jwt, the algorithm pinned to ES256 (so
 * `alg: none` and HS256-with-the-public-key are refused), the key chosen by
 * `kid`, and only the `access`, `enrollment` and `password-change` audiences accepted.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(tokens: TokenService) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      algorithms: [JWT_ALGORITHM],
      issuer: TOKEN_ISSUER,
      audience: [AUDIENCE.access, AUDIENCE.enrollment, AUDIENCE['password-change']],
      ignoreExpiration: false,
      secretOrKeyProvider: (
        _request: Request,
        rawJwtToken: string,
        done: (error: Error | null, key?: string | Buffer) => void,
      ) => {
        // jsonwebtoken accepts the KeyObject although passport-jwt's types name only strings and buffers.
        const key = tokens.publicKeyFor(rawJwtToken);
        if (key) done(null, key as unknown as Buffer);
        else done(new Error('unknown signing key'));
      },
    });
  }

  validate(payload: JwtPayload): Principal {
    const kind =
      payload.aud === AUDIENCE.enrollment
        ? 'enrollment'
        : payload.aud === AUDIENCE['password-change']
          ? 'password-change'
          : 'access';
    const principal = toPrincipal(kind, payload);
    return typeof payload.iat === 'number' ? { ...principal, issuedAt: payload.iat } : principal;
  }
}
