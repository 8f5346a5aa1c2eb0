import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  apiClient,
  freePort,
  spawnApp,
  startSystem,
  type ApiClient,
  type AppProcess,
  type RunningSystem,
} from '#testing';

/**
 * The per-address login limit with its counters in Redis (`REDIS_URL`): the
 * real Redis this machine runs on 127.0.0.1:6379 (or REDIS_URL), never
 * skipped. Distributed: two gateway processes in front of the same services
 * share one limit. Embedded: the one process counts in Redis too.
 */
const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const LIMIT = 4;

/** Unset unless the principal sets them, as `startSystem` does. */
const NO_KAFKA_LOGIN = {
  KAFKA_SSL_CA_FILE: '',
  KAFKA_SASL_MECHANISM: '',
  KAFKA_SASL_USERNAME: '',
  KAFKA_SASL_PASSWORD: '',
  KAFKA_SASL_PASSWORD_FILE: '',
};

async function untilHealthy(baseUrl: string, gateway: AppProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (gateway.exitCode() !== null) throw new Error(`gateway exited:\n${gateway.logs().slice(-2000)}`);
    const response = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(5000) }).catch(() => null);
    if (response?.status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`second gateway not healthy within ${timeoutMs} ms:\n${gateway.logs().slice(-2000)}`);
}

describe('the login rate limit in Redis, across gateway instances (distributed)', () => {
  const prefix = `e2e-${randomUUID()}:`;
  let system: RunningSystem;
  let second: AppProcess;
  let apis: [ApiClient, ApiClient];
  let redis: Redis;

  beforeAll(async () => {
    redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    const kafka = inject('kafkaClients');
    system = await startSystem({
      mode: 'distributed',
      kafka,
      env: {
        REDIS_URL,
        REDIS_KEY_PREFIX: prefix,
        LOGIN_RATE_LIMIT_PER_MINUTE: String(LIMIT),
        TRUST_PROXY: 'on',
      },
    });
    const port = await freePort();
    second = spawnApp('gateway', { ...NO_KAFKA_LOGIN, ...kafka.gateway, ...system.env, PORT: String(port) });
    const secondUrl = `http://127.0.0.1:${port}`;
    await untilHealthy(secondUrl, second);
    apis = [apiClient(system.baseUrl), apiClient(secondUrl)];
  });

  afterAll(async () => {
    await second?.stop();
    await system?.stop({ removeData: true });
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  // Another address each time: the per-account throttle (5 failures) must not be what answers 429 here.
  let attempts = 0;
  const login = (api: ApiClient, clientIp: string) =>
    api.post(
      '/v1/auth/login',
      { email: `nobody-${(attempts += 1)}@example.com`, password: 'not-a-password-123' },
      { headers: { 'x-forwarded-for': clientIp } },
    );

  it('counts the attempts of one address at either gateway against one limit', async () => {
    const statuses: number[] = [];
    for (let attempt = 0; attempt < LIMIT; attempt++)
      statuses.push((await login(apis[attempt % 2]!, '198.51.100.40')).status);
    const limited = await login(apis[LIMIT % 2]!, '198.51.100.40');

    expect(statuses).toEqual(Array(LIMIT).fill(401));
    expect(limited).toMatchObject({ status: 429, body: { error: 'too_many_attempts' } });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await login(apis[0], '198.51.100.40')).status).toBe(429);
    expect((await login(apis[1], '198.51.100.41')).status).toBe(401);
    expect(await redis.keys(`${prefix}rate-limit:*`)).not.toEqual([]);
  });

  it('counts an IPv6 /64 as one address, at either gateway', async () => {
    const statuses: number[] = [];
    for (let attempt = 0; attempt < LIMIT; attempt++) {
      statuses.push((await login(apis[attempt % 2]!, `2001:db8:40:1::${attempt + 1}`)).status);
    }
    expect(statuses).not.toContain(429);
    expect((await login(apis[0], '2001:db8:40:1:ffff:ffff:ffff:ffff')).status).toBe(429);
    expect((await login(apis[1], '2001:db8:40:2::1')).status).toBe(401);
  });
});

describe('the login rate limit in Redis (embedded)', () => {
  const prefix = `e2e-${randomUUID()}:`;
  let system: RunningSystem;
  let redis: Redis;

  beforeAll(async () => {
    redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    system = await startSystem({
      mode: 'embedded',
      env: { REDIS_URL, REDIS_KEY_PREFIX: prefix, LOGIN_RATE_LIMIT_PER_MINUTE: '2' },
    });
  });

  afterAll(async () => {
    await system?.stop({ removeData: true });
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('keeps its counters in Redis', async () => {
    const api = apiClient(system.baseUrl);
    const attempt = () => api.post('/v1/auth/login', { email: 'nobody@example.com', password: 'not-a-password-123' });
    expect((await attempt()).status).toBe(401);
    expect((await attempt()).status).toBe(401);
    expect((await attempt()).status).toBe(429);
    const keys = await redis.keys(`${prefix}rate-limit:*`);
    expect(keys.some((key) => key.endsWith(':hits'))).toBe(true);
  });
});
