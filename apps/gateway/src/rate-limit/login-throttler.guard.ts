import { type ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerLimitDetail } from '@nestjs/throttler';
import type { Request } from 'express';
import { DomainError } from '#contracts';
import { rateLimitRefusals, routeOf } from '#observability';

const logger = new Logger('LoginRateLimit');

/**
 * The per-address limit on the login steps (`LOGIN_RATE_LIMIT_PER_MINUTE`),
 * `@nestjs/throttler`'s guard: the client address as Express derives it (the
 * proxy's `X-Forwarded-For` only with `TRUST_PROXY`), IPv6 addresses counted
 * by their /64 (one subscriber's whole network is one budget, not 2^64),
 * IPv4-mapped ones as the IPv4 address. Counted before any password is looked
 * at, so it also caps the argon2 work one address can cause.
 */
@Injectable()
export class LoginThrottlerGuard extends ThrottlerGuard {
  /**
   * Both login steps draw on one budget per address: the key is the address
   * (or /64), not the route (the storage adds the throttler's name).
   */
  protected override generateKey(_context: ExecutionContext, tracker: string): string {
    return tracker;
  }

  /**
   * The error filter answers it `429 too_many_attempts` with `Retry-After`, as
   * every refusal. Counted (`totp_mfa_rate_limit_refusals_total{route}`) and
   * logged as a warning an operator can alert on (`event: "login_rate_limited"`,
   * with the address, i.e. its tracker).
   */
  protected override async throwThrottlingException(
    context: ExecutionContext,
    { timeToBlockExpire, tracker }: ThrottlerLimitDetail,
  ): Promise<void> {
    const route = routeOf(context.switchToHttp().getRequest<Request>());
    rateLimitRefusals.inc({ route });
    logger.warn({
      msg: 'login refused: too many attempts from the address',
      event: 'login_rate_limited',
      route,
      ip: tracker,
    });
    throw new DomainError('too_many_attempts', 'too many login attempts; try again later', {
      retryAfterSeconds: Math.max(1, timeToBlockExpire),
    });
  }
}
