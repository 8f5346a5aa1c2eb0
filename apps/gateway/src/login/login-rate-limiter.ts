import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '#contracts';
import { CONFIG, type GatewayConfig } from '#config';

const WINDOW_MS = 60_000;

/**
 * Login attempts per client IP per minute (fixed windows, per gateway
 * instance): over `LOGIN_RATE_LIMIT_PER_MINUTE`, `429 too_many_attempts` with
 * `Retry-After`. Counted before the password is checked, so it also caps the
 * argon2 work one address can cause.
 */
@Injectable()
export class LoginRateLimiter {
  private readonly windows = new Map<string, { startedAt: number; attempts: number }>();
  private readonly limit: number;

  constructor(@Inject(CONFIG) config: GatewayConfig) {
    this.limit = config.LOGIN_RATE_LIMIT_PER_MINUTE;
  }

  consume(ip: string, now = Date.now()): void {
    let window = this.windows.get(ip);
    if (!window || now - window.startedAt >= WINDOW_MS) {
      if (this.windows.size > 100_000) this.forgetExpired(now);
      window = { startedAt: now, attempts: 0 };
      this.windows.set(ip, window);
    }
    window.attempts += 1;
    if (window.attempts > this.limit) {
      const retryAfterSeconds = Math.max(1, Math.ceil((window.startedAt + WINDOW_MS - now) / 1000));
      throw new DomainError('too_many_attempts', 'too many login attempts; try again later', { retryAfterSeconds });
    }
  }

  private forgetExpired(now: number): void {
    for (const [ip, window] of this.windows) if (now - window.startedAt >= WINDOW_MS) this.windows.delete(ip);
  }
}
