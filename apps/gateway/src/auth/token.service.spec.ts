import jwt from 'jsonwebtoken';
import { createPublicKey } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { gatewayConfig, publicKeyPemOf, signingKeyPem, USER, verifiedClaims } from '../gateway.testing.js';
import { AUDIENCE, TOKEN_ISSUER, TokenService, type TokenKind } from './token.service.js';

const CLAIMS = { sub: USER.id, org: USER.orgId, roles: USER.roles, amr: ['pwd'] } as const;

describe('TokenService', () => {
  let tokens: TokenService;
  beforeEach(() => {
    tokens = new TokenService(gatewayConfig());
  });
  afterEach(() => vi.useRealTimers());

  describe('issue', () => {
    it.each<[TokenKind, number]>([
      ['access', 300],
      ['mfa', 300],
      ['enrollment', 900],
      ['password-change', 300],
    ])('signs a %s token with ES256 under the current kid, for its own audience, valid %i s', (kind, ttl) => {
      const { token, expiresIn } = tokens.issue(kind, CLAIMS);

      const { header, payload } = jwt.decode(token, { complete: true }) as jwt.Jwt & { payload: jwt.JwtPayload };
      expect(header).toEqual({ alg: 'ES256', typ: 'JWT', kid: tokens.keys.current.kid });
      expect(payload).toEqual({
        iss: TOKEN_ISSUER,
        aud: AUDIENCE[kind],
        sub: USER.id,
        org: USER.orgId,
        roles: USER.roles,
        amr: ['pwd'],
        iat: expect.any(Number),
        exp: payload.iat! + ttl,
        jti: expect.any(String),
      });
      expect(expiresIn).toBe(ttl);
      expect(() => jwt.verify(token, tokens.keys.current.publicKey, { algorithms: ['ES256'] })).not.toThrow();
    });

    it("names an access token's session (sid) and when its user signed in (auth_time), and reads them back", () => {
      const { token } = tokens.issue('access', { ...CLAIMS, sid: 'session-1', authTime: 1_750_000_000 });

      expect(jwt.decode(token)).toMatchObject({ sid: 'session-1', auth_time: 1_750_000_000 });
      expect(verifiedClaims(tokens, token, 'access')).toMatchObject({ sid: 'session-1', auth_time: 1_750_000_000 });
    });

    it('gives every token its own id', () => {
      const ids = Array.from(
        { length: 3 },
        () => (jwt.decode(tokens.issue('access', CLAIMS).token) as jwt.JwtPayload).jti,
      );

      expect(new Set(ids).size).toBe(3);
    });
  });

  describe('verifyMfaToken', () => {
    it('turns an mfa token into its principal and its id (the challenge id mfa lets verify one code)', () => {
      const { token } = tokens.issue('mfa', CLAIMS);

      const { jti } = jwt.decode(token) as jwt.JwtPayload;
      expect(jti).toMatch(/^[0-9a-f-]{36}$/);
      expect(tokens.verifyMfaToken(token)).toEqual({ kind: 'mfa', ...CLAIMS, challengeId: jti });
    });

    it('refuses an mfa token without an id', () => {
      const withoutId = jwt.sign({ org: USER.orgId, roles: USER.roles, amr: ['pwd'] }, tokens.keys.current.privateKey, {
        algorithm: 'ES256',
        keyid: tokens.keys.current.kid,
        subject: USER.id,
        audience: AUDIENCE.mfa,
        issuer: TOKEN_ISSUER,
        expiresIn: 300,
      });

      expect(() => tokens.verifyMfaToken(withoutId)).toThrow(expect.objectContaining({ code: 'invalid_mfa_token' }));
    });

    it.each<TokenKind>(['access', 'enrollment'])('refuses an %s token as an mfa token', (kind) => {
      const { token } = tokens.issue(kind, CLAIMS);

      expect(() => tokens.verifyMfaToken(token)).toThrow(expect.objectContaining({ code: 'invalid_mfa_token' }));
    });

    it('accepts an mfa token for its 5 minutes, not a second longer', () => {
      vi.useFakeTimers({ toFake: ['Date'] });
      const { token } = tokens.issue('mfa', CLAIMS);

      vi.setSystemTime(Date.now() + 299_000);
      expect(tokens.verifyMfaToken(token).sub).toBe(USER.id);
      vi.setSystemTime(Date.now() + 1_000);
      expect(() => tokens.verifyMfaToken(token)).toThrow(expect.objectContaining({ code: 'invalid_mfa_token' }));
    });

    it('refuses a token whose kid names the current key but which another key signed', () => {
      const forged = jwt.sign({ org: USER.orgId, roles: USER.roles, amr: ['pwd'] }, signingKeyPem(), {
        algorithm: 'ES256',
        keyid: tokens.keys.current.kid,
        subject: USER.id,
        audience: AUDIENCE.mfa,
        issuer: TOKEN_ISSUER,
        expiresIn: 300,
      });

      expect(() => tokens.verifyMfaToken(forged)).toThrow(expect.objectContaining({ code: 'invalid_mfa_token' }));
    });

    it('refuses a token from another issuer', () => {
      const foreign = jwt.sign({ org: USER.orgId }, tokens.keys.current.privateKey, {
        algorithm: 'ES256',
        keyid: tokens.keys.current.kid,
        subject: USER.id,
        audience: AUDIENCE.mfa,
        issuer: 'someone-else',
        expiresIn: 300,
      });

      expect(() => tokens.verifyMfaToken(foreign)).toThrow(expect.objectContaining({ code: 'invalid_mfa_token' }));
    });
  });

  describe('key rotation', () => {
    it('still verifies tokens of a previous key listed in JWT_PREVIOUS_PUBLIC_KEYS, and signs with the new one', () => {
      const before = tokens.issue('mfa', CLAIMS).token;
      const rotated = new TokenService(gatewayConfig({ JWT_PREVIOUS_PUBLIC_KEYS: publicKeyPemOf(tokens) }));

      expect(rotated.verifyMfaToken(before).sub).toBe(USER.id);
      expect(jwt.decode(rotated.issue('mfa', CLAIMS).token, { complete: true })?.header.kid).toBe(
        rotated.keys.current.kid,
      );
      expect(rotated.keys.current.kid).not.toBe(tokens.keys.current.kid);
    });

    it('refuses tokens of a key that is neither current nor listed', () => {
      const before = tokens.issue('mfa', CLAIMS).token;
      const rotated = new TokenService(gatewayConfig());

      expect(rotated.publicKeyFor(before)).toBeUndefined();
      expect(() => rotated.verifyMfaToken(before)).toThrow(expect.objectContaining({ code: 'invalid_mfa_token' }));
    });

    it('publishes the current and the previous keys in JWKS, public halves only', () => {
      const rotated = new TokenService(gatewayConfig({ JWT_PREVIOUS_PUBLIC_KEYS: publicKeyPemOf(tokens) }));

      const { keys } = rotated.jwks();

      expect(keys.map((key) => key.kid)).toEqual([rotated.keys.current.kid, tokens.keys.current.kid]);
      for (const key of keys) expect(key).not.toHaveProperty('d');
      const published = createPublicKey({ key: keys[1]!, format: 'jwk' });
      expect(published.equals(tokens.keys.current.publicKey)).toBe(true);
    });
  });

  describe('publicKeyFor', () => {
    it('finds no key for a token without a kid, or for what is not a token', () => {
      const withoutKid = jwt.sign({}, tokens.keys.current.privateKey, { algorithm: 'ES256' });

      expect(tokens.publicKeyFor(withoutKid)).toBeUndefined();
      expect(tokens.publicKeyFor('not-a-token')).toBeUndefined();
    });
  });
});
