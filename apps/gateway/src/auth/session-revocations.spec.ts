import { Controller, Get } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { INTEGRATION_TOPICS, type IntegrationEvent } from '#contracts';
import { processBus } from '#messaging';
import { startGuardedApp, USER, type HttpUnderTest } from '../gateway.testing.js';
import { CurrentPrincipal } from './auth.decorators.js';
import { REVOCATION_MEMORY_MS, type SessionRevocations } from './session-revocations.js';
import type { Principal, TokenService } from './token.service.js';

@Controller('probe')
class ProbeController {
  @Get()
  read(@CurrentPrincipal() principal: Principal) {
    return { sid: principal.sid ?? null };
  }
}

const CLAIMS = { sub: USER.id, org: USER.orgId, roles: USER.roles, amr: ['pwd', 'otp'] } as const;

/** As identity's relay publishes it on `auth.identity.events`. */
const sessionRevoked = (sessionId: string, revokedAt = new Date()): IntegrationEvent => ({
  eventId: randomUUID(),
  type: 'SessionRevoked',
  schemaVersion: 1,
  aggregateId: sessionId,
  userId: USER.id,
  occurredAt: revokedAt.toISOString(),
  source: { stream: `session-${sessionId}`, revision: 1, position: '7' },
  data: { schemaVersion: 1, sessionId, userId: USER.id, revokedAt: revokedAt.toISOString(), reason: 'logout' },
});

describe('the revoked sessions view (in process)', () => {
  let app: HttpUnderTest & { readonly tokens: TokenService; readonly revocations: SessionRevocations };
  const get = (token: string) => app.api.get('/probe', { token });
  const tokenOf = (sid?: string) => app.tokens.issue('access', { ...CLAIMS, ...(sid ? { sid } : {}) }).token;

  beforeAll(async () => {
    app = await startGuardedApp([ProbeController]);
  });
  afterAll(() => app.close());
  afterEach(() => vi.useRealTimers());

  it("refuses the access tokens of a session as soon as its revocation is published, and only that session's", async () => {
    const [revoked, other] = [randomUUID(), randomUUID()];
    const [token, otherToken] = [tokenOf(revoked), tokenOf(other)];
    expect(await get(token)).toMatchObject({ status: 200, body: { sid: revoked } });

    await processBus.emit(INTEGRATION_TOPICS.identity, sessionRevoked(revoked));

    expect(await get(token)).toMatchObject({
      status: 401,
      body: { error: 'invalid_token', message: 'the session has ended; refresh or sign in again' },
    });
    expect(await get(otherToken)).toMatchObject({ status: 200, body: { sid: other } });
  });

  it('ignores the other events of the topic, and what is no integration event', async () => {
    const sid = randomUUID();
    await processBus.emit(INTEGRATION_TOPICS.identity, { ...sessionRevoked(sid), type: 'SessionStarted' });
    await processBus.emit(INTEGRATION_TOPICS.identity, { type: 'SessionRevoked', aggregateId: sid });

    expect(await get(tokenOf(sid))).toMatchObject({ status: 200 });
    expect(app.logger.text()).toContain('skipped a message that is no integration event');
  });

  it('refuses a session token issued before this gateway started (revocations from then are not known)', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: app.revocations.completeSince - 2000 });
    const old = tokenOf(randomUUID());
    vi.useRealTimers();

    expect(await get(old)).toMatchObject({ status: 401, body: { error: 'invalid_token' } });
  });

  it('leaves tokens without a session alone (enrolment tokens are not revocable)', async () => {
    expect(await get(tokenOf())).toMatchObject({ status: 200, body: { sid: null } });
  });

  it('forgets a revocation once every access token it could concern has expired', () => {
    const sid = randomUUID();
    app.revocations.apply(sessionRevoked(sid, new Date(Date.now() - REVOCATION_MEMORY_MS - 1000)));
    expect(app.revocations.refuses({ kind: 'access', ...CLAIMS, sid })).toBe(true);

    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 61_000 });
    app.revocations.apply(sessionRevoked(randomUUID()));

    expect(app.revocations.refuses({ kind: 'access', ...CLAIMS, sid })).toBe(false);
  });
});
