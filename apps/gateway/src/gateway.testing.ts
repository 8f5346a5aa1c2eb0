/**
 * Fixtures for the gateway's specs: signing keys and configuration, the real
 * gateway started in this process in front of scripted services, and a small
 * HTTP app with the gateway's authentication wiring around test controllers.
 * Everything listens on 127.0.0.1 on a free port; nothing needs Kafka.
 */
import type { INestApplication, Type } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { Test } from '@nestjs/testing';
import jwt from 'jsonwebtoken';
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import {
  IdentityRpc,
  PolicyRpc,
  SessionRpc,
  type AuthMethod,
  type SessionGrant,
  type SignInView,
  type UserView,
} from '#contracts';
import { CONFIG, loadConfig, type GatewayConfig } from '#config';
import { processBus } from '#messaging';
import { apiClient, CollectingLogger, FakeServices, type ApiClient } from '#testing';
import { AuthGuard } from './auth/auth.guard.js';
import { JwtStrategy } from './auth/jwt.strategy.js';
import { SessionRevocations } from './auth/session-revocations.js';
import { JWT_ALGORITHM } from './auth/signing-keys.js';
import { AUDIENCE, TOKEN_ISSUER, TokenService, type TokenKind } from './auth/token.service.js';
import { startGateway } from './gateway.app.js';
import { ErrorFilter } from './http/error.filter.js';

export const USER: UserView = { id: 'u-1', email: 'ada@example.com', orgId: 'org-1', roles: ['billing'] };

/**
 * Scripts the password step's services for `user`: identity names the
 * organisation, policy lets the address in, identity accepts the password
 * (`signIn` overrides its answer, e.g. `passwordChangeRequired`), and a
 * completed sign-in starts a session (`sessionOf`).
 */
export function answerPasswordStep(
  services: FakeServices,
  user: UserView = USER,
  signIn: Partial<SignInView> = {},
): FakeServices {
  return services
    .answer(IdentityRpc.findLoginOrganisation, { orgId: user.orgId })
    .answer(PolicyRpc.checkLoginAddress, { allowed: true })
    .answer(IdentityRpc.verifyCredentials, { ...user, passwordChangeRequired: false, ...signIn })
    .answer(SessionRpc.startSession, (request) => sessionOf(user, request, request.sessionId));
}

/** A refresh token as the gateway makes one: `<sessionId>.<43 base64url characters>`. */
export const refreshTokenOf = (sessionId: string): string => `${sessionId}.${randomBytes(32).toString('base64url')}`;

/** The session identity starts for `user` after a sign-in (`identity.start-session`), as it answers it. */
export function sessionOf(
  user: UserView,
  { amr, authenticatedAt }: { readonly amr: readonly AuthMethod[]; readonly authenticatedAt: string },
  sessionId: string = randomUUID(),
): SessionGrant {
  return {
    sessionId,
    userId: user.id,
    orgId: user.orgId,
    roles: [...user.roles],
    amr: [...amr],
    authenticatedAt,
    refreshTokenExpiresAt: new Date(Date.now() + 24 * 3600 * 1000).toISOString(),
  };
}

/** A fresh ES256 private key (PKCS#8 PEM), as `JWT_PRIVATE_KEY` takes it. */
export function signingKeyPem(): string {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .privateKey.export({ format: 'pem', type: 'pkcs8' })
    .toString();
}

/** The gateway's configuration with its own signing key (so no key file is written) on a free loopback port. */
export function gatewayConfig(env: Record<string, string> = {}): GatewayConfig {
  return loadConfig('gateway', { HOST: '127.0.0.1', PORT: '0', JWT_PRIVATE_KEY: signingKeyPem(), ...env });
}

/** The current public key of a token service, as `JWT_PREVIOUS_PUBLIC_KEYS` lists it after a rotation. */
export function publicKeyPemOf(tokens: TokenService): string {
  return tokens.keys.current.publicKey.export({ format: 'pem', type: 'spki' }).toString();
}

/** The claims of a token, verified as the gateway verifies one of this kind (throws otherwise). */
export function verifiedClaims(tokens: TokenService, token: string, kind: TokenKind): jwt.JwtPayload {
  return jwt.verify(token, tokens.keys.current.publicKey, {
    algorithms: [JWT_ALGORITHM],
    audience: AUDIENCE[kind],
    issuer: TOKEN_ISSUER,
  }) as jwt.JwtPayload;
}

export interface HttpUnderTest {
  readonly api: ApiClient;
  readonly logger: CollectingLogger;
  close(): Promise<void>;
}

async function listening(app: INestApplication, logger: CollectingLogger): Promise<HttpUnderTest> {
  return {
    api: apiClient(await app.getUrl()),
    logger,
    close: () => app.close(),
  };
}

/**
 * The real gateway (`startGateway`: its module, body limit, proxy setting,
 * filter and guard) whose services are scripted on the process bus.
 */
export async function startGatewayUnderTest(
  env: Record<string, string> = {},
): Promise<HttpUnderTest & { readonly services: FakeServices }> {
  const services = new FakeServices(processBus);
  const logger = new CollectingLogger();
  const app = await startGateway(gatewayConfig({ ...services.sealingEnv(), ...env }), logger);
  const http = await listening(app, logger);
  return {
    ...http,
    services,
    close: async () => {
      await http.close();
      services.close();
    },
  };
}

/**
 * Test controllers behind the gateway's authentication exactly as it is wired
 * (passport-jwt strategy, global guard, error filter), with its token service.
 */
export async function startGuardedApp(
  controllers: Type[],
  config: GatewayConfig = gatewayConfig(),
): Promise<HttpUnderTest & { readonly tokens: TokenService; readonly revocations: SessionRevocations }> {
  const logger = new CollectingLogger();
  const moduleRef = await Test.createTestingModule({
    imports: [PassportModule],
    controllers,
    providers: [
      { provide: CONFIG, useValue: config },
      TokenService,
      JwtStrategy,
      SessionRevocations,
      { provide: APP_GUARD, useClass: AuthGuard },
      { provide: APP_FILTER, useClass: ErrorFilter },
    ],
  })
    .setLogger(logger)
    .compile();
  const app = moduleRef.createNestApplication({ logger });
  await app.listen(0, '127.0.0.1');
  return {
    ...(await listening(app, logger)),
    tokens: app.get(TokenService),
    revocations: app.get(SessionRevocations),
  };
}
