import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { ThrottlerStorageService, type ThrottlerStorage } from '@nestjs/throttler';
import { Redis } from 'ioredis';

/**
 * One fixed window per key: the first hit starts it (`PEXPIRE`), hits past the
 * limit block the key for `blockDuration`. One script, so concurrent hits from
 * any number of gateway instances count exactly once each. Both keys share a
 * hash tag, so a Redis Cluster keeps them on one node.
 */
const INCREMENT = `
local hits = redis.call('INCR', KEYS[1])
if hits == 1 or redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
local blocked = redis.call('PTTL', KEYS[2])
if blocked <= 0 and hits > tonumber(ARGV[2]) then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  blocked = tonumber(ARGV[3])
end
return { hits, ttl, blocked }
`;

/** Warnings about an unreachable Redis, at most one a minute. */
const WARN_EVERY_MS = 60_000;

/**
 * `@nestjs/throttler`'s storage in Redis (`REDIS_URL`), so every gateway
 * instance counts against the same limits. The Redis storage packages for the
 * throttler support Nest up to 11; this is the few lines they hold, over
 * ioredis. While Redis cannot be reached each instance counts in its own
 * memory (the limit per instance, as without `REDIS_URL`) and says so in the
 * log: logins keep working, and the per-account throttle, kept in the
 * identity service's events, holds across instances regardless.
 */
export class RedisThrottlerStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly logger = new Logger('RateLimit');
  private readonly fallback = new ThrottlerStorageService();
  private lastWarningAt = 0;

  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
  ) {
    // ioredis reconnects by itself; its errors are reported where a command fails.
    redis.on('error', () => undefined);
  }

  static connect(url: string, keyPrefix: string): RedisThrottlerStorage {
    const redis = new Redis(url, {
      // A command waits for the first connection, but fails (and is counted in memory) as soon as a
      // connection attempt fails or it takes longer than half a second: logins never queue behind Redis.
      maxRetriesPerRequest: 0,
      commandTimeout: 500,
      connectTimeout: 2000,
    });
    return new RedisThrottlerStorage(redis, keyPrefix);
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string) {
    const hitsKey = `${this.keyPrefix}rate-limit:{${throttlerName}:${key}}:hits`;
    const blockKey = `${this.keyPrefix}rate-limit:{${throttlerName}:${key}}:blocked`;
    try {
      const [hits, ttlMs, blockedMs] = (await this.redis.eval(
        INCREMENT,
        2,
        hitsKey,
        blockKey,
        Math.max(1, Math.round(ttl)),
        limit,
        Math.max(1, Math.round(blockDuration)),
      )) as [number, number, number];
      return {
        totalHits: hits,
        timeToExpire: Math.max(0, Math.ceil(ttlMs / 1000)),
        isBlocked: blockedMs > 0,
        timeToBlockExpire: Math.max(0, Math.ceil(blockedMs / 1000)),
      };
    } catch (error) {
      this.warn(error);
      return this.fallback.increment(key, ttl, limit, blockDuration, throttlerName);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.fallback.onApplicationShutdown();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private warn(error: unknown): void {
    const now = Date.now();
    if (now - this.lastWarningAt < WARN_EVERY_MS) return;
    this.lastWarningAt = now;
    // The URL may hold a password: name the failure only.
    const reason = error instanceof Error ? error.message.split('\n')[0] : 'unknown error';
    this.logger.warn(`Redis unavailable (${reason}): counting login attempts in this instance's memory`);
  }
}
