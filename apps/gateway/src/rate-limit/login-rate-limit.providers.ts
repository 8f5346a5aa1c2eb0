import type { Provider } from '@nestjs/common';
import {
  getOptionsToken,
  getStorageToken,
  ThrottlerStorageService,
  type ThrottlerModuleOptions,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import { CONFIG, type GatewayConfig } from '#config';
import { RedisThrottlerStorage } from './redis-throttler.storage.js';

export const LOGIN_THROTTLER = 'login';
const WINDOW_MS = 60_000;
/** `@nestjs/throttler`'s own default; said here because the guard keys IPv6 clients by it. */
const IPV6_PREFIX_LENGTH = 64;

/**
 * What `LoginThrottlerGuard` needs, without `ThrottlerModule` (a global module
 * would throttle nothing else here anyway): the limit, and the counters in
 * Redis when `REDIS_URL` is set, in this instance's memory otherwise.
 */
export const loginRateLimitProviders: Provider[] = [
  {
    provide: getOptionsToken(),
    inject: [CONFIG],
    useFactory: (config: GatewayConfig): ThrottlerModuleOptions => ({
      throttlers: [{ name: LOGIN_THROTTLER, ttl: WINDOW_MS, limit: config.LOGIN_RATE_LIMIT_PER_MINUTE }],
      ipv6SubnetPrefix: IPV6_PREFIX_LENGTH,
      // Retry-After comes with the refusal (the error filter sets it); no X-RateLimit-* headers.
      setHeaders: false,
    }),
  },
  {
    provide: getStorageToken(),
    inject: [CONFIG],
    useFactory: (config: GatewayConfig): ThrottlerStorage =>
      config.REDIS_URL
        ? RedisThrottlerStorage.connect(config.REDIS_URL, config.REDIS_KEY_PREFIX)
        : new ThrottlerStorageService(),
  },
];
