import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DomainError, IdentityRpc } from '#contracts';
import { answerPasswordStep, startGatewayUnderTest } from '../gateway.testing.js';
import { RedisThrottlerStorage } from './redis-throttler.storage.js';

/**
 * The per-address login limit, against the real Redis this machine runs
 * (127.0.0.1:6379, or REDIS_URL): never a mock, and no skipping when it is
 * not there. Every key lives under a prefix of its own, removed afterwards.
 */
const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

type Gateway = Awaited<ReturnType<typeof startGatewayUnderTest>>;

describe('the login rate limit', () => {
  const prefix = `spec-${randomUUID()}:`;
  let redis: Redis;
  const storages: RedisThrottlerStorage[] = [];
  const gateways: Gateway[] = [];

  const storage = () => {
    const created = RedisThrottlerStorage.connect(REDIS_URL, prefix);
    storages.push(created);
    return created;
  };
  const gateway = async (env: Record<string, string>) => {
    const started = await startGatewayUnderTest({ KAFKA_REQUEST_TIMEOUT_MS: '1000', ...env });
    gateways.push(started);
    return started;
  };
  const login = (on: Gateway, clientIp = '203.0.113.7') =>
    on.api.post(
      '/v1/auth/login',
      { email: 'ada@example.com', password: 'not the password' },
      { headers: { 'x-forwarded-for': clientIp } },
    );

  beforeAll(async () => {
    redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
  });

  afterEach(async () => {
    for (const started of gateways.splice(0)) await started.close();
    for (const created of storages.splice(0)) await created.onApplicationShutdown();
    vi.restoreAllMocks();
  });

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  describe('RedisThrottlerStorage', () => {
    it('counts hits in one window, blocks past the limit for the block duration, then starts again', async () => {
      const store = storage();
      const hit = () => store.increment('k1', 400, 2, 400, 'login');

      expect(await hit()).toMatchObject({ totalHits: 1, isBlocked: false, timeToBlockExpire: 0 });
      expect(await hit()).toMatchObject({ totalHits: 2, isBlocked: false });
      expect(await hit()).toMatchObject({ totalHits: 3, isBlocked: true, timeToBlockExpire: 1 });
      expect((await redis.keys(`${prefix}*`)).sort()).toEqual([
        `${prefix}rate-limit:{login:k1}:blocked`,
        `${prefix}rate-limit:{login:k1}:hits`,
      ]);

      await new Promise((resolve) => setTimeout(resolve, 450));
      expect(await hit()).toMatchObject({ totalHits: 1, isBlocked: false });
    });

    it('counts each of many concurrent hits from two connections exactly once', async () => {
      const [first, second] = [storage(), storage()];

      const results = await Promise.all(
        Array.from({ length: 40 }, (_, index) =>
          (index % 2 ? first : second).increment('k2', 60_000, 30, 60_000, 'login'),
        ),
      );

      expect(results.map((result) => result.totalHits).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 40 }, (_, index) => index + 1),
      );
      expect(results.filter((result) => result.isBlocked)).toHaveLength(10);
    });

    it("counts in the instance's memory while Redis cannot be reached, saying so without the URL", async () => {
      const warn = vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      const unreachable = RedisThrottlerStorage.connect('redis://:hunter2-redis@127.0.0.1:1', prefix);
      storages.push(unreachable);

      const results = [];
      for (let i = 0; i < 3; i += 1) results.push(await unreachable.increment('k3', 60_000, 2, 60_000, 'login'));

      expect(results.map((result) => [result.totalHits, result.isBlocked])).toEqual([
        [1, false],
        [2, false],
        [3, true],
      ]);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]?.[0])).toMatch(
        /^Redis unavailable \(.+\): counting login attempts in this instance's memory$/,
      );
      expect(JSON.stringify(warn.mock.calls)).not.toContain('hunter2');
    });
  });

  describe('in the real gateway (both login steps, one budget per address)', () => {
    const limitOf3 = { LOGIN_RATE_LIMIT_PER_MINUTE: '3', TRUST_PROXY: 'on' };

    it('shares the limit between two gateway instances on one Redis', async () => {
      const shared = { ...limitOf3, REDIS_URL, REDIS_KEY_PREFIX: prefix };
      const first = await gateway(shared);
      // The same scripted services behind both (the second seals passwords to the first's keys).
      const second = await gateway({ ...shared, ...first.services.sealingEnv() });
      answerPasswordStep(first.services).refuse(
        IdentityRpc.verifyCredentials,
        new DomainError('invalid_credentials', 'email or password is incorrect'),
      );

      const statuses = [];
      for (const on of [first, second, first]) statuses.push((await login(on, '198.51.100.20')).status);
      const limited = await login(second, '198.51.100.20');

      expect(statuses).toEqual([401, 401, 401]);
      expect(limited).toMatchObject({ status: 429, body: { error: 'too_many_attempts' } });
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(60);
      // The code step draws on the same budget.
      expect(
        await first.api.post(
          '/v1/auth/login/mfa',
          { mfaToken: 'x', code: '123456' },
          {
            headers: { 'x-forwarded-for': '198.51.100.20' },
          },
        ),
      ).toMatchObject({ status: 429 });
      // Another address has its own.
      expect((await login(first, '198.51.100.21')).status).toBe(401);
    });

    it('without REDIS_URL counts per instance: two instances let twice as many through', async () => {
      const [first, second] = [await gateway(limitOf3), await gateway(limitOf3)];

      const statuses = [];
      for (let i = 0; i < 3; i += 1) {
        statuses.push((await login(first, '198.51.100.30')).status, (await login(second, '198.51.100.30')).status);
      }

      expect(statuses).not.toContain(429);
      expect((await login(first, '198.51.100.30')).status).toBe(429);
    });

    it('counts IPv6 clients by their /64: another address of the same network shares the budget', async () => {
      const on = await gateway({ ...limitOf3, REDIS_URL, REDIS_KEY_PREFIX: prefix });

      for (const ip of ['2001:db8:1:2::1', '2001:db8:1:2:ffff::9', '2001:db8:1:2:abcd:1:2:3']) {
        expect((await login(on, ip)).status).not.toBe(429);
      }

      expect((await login(on, '2001:db8:1:2::77')).status).toBe(429);
      expect((await login(on, '2001:db8:1:3::1')).status).not.toBe(429);
      // IPv4-mapped IPv6 is the IPv4 address.
      for (let i = 0; i < 3; i += 1) expect((await login(on, '192.0.2.50')).status).not.toBe(429);
      expect((await login(on, '::ffff:192.0.2.50')).status).toBe(429);
    });
  });
});
