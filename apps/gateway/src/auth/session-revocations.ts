import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { INTEGRATION_TOPICS, readIntegrationEvent, type IntegrationEvent } from '#contracts';
import { CONFIG, type GatewayConfig } from '#config';
import { IntegrationEventSubscription, kafkaConnectionOf } from '#messaging';
import { ACCESS_TOKEN_TTL_SECONDS, type Principal } from './token.service.js';

/**
 * How long a revocation is kept: as long as an access token issued before it
 * can live, plus a minute for clocks and the bus. A token of a session revoked
 * longer ago has expired anyway.
 */
export const REVOCATION_MEMORY_MS = (ACCESS_TOKEN_TTL_SECONDS + 60) * 1000;

/** Its Kafka consumer groups are `gateway-session-revocations-<random>`, one per gateway instance. */
const SUBSCRIBER_NAME = 'gateway-session-revocations';

/**
 * The gateway's view of revoked sessions: the session ids of the
 * `SessionRevoked` events on `auth.identity.events` (identity revokes
 * sessions at a logout, a replayed refresh token, a password, role or MFA
 * change), each kept `REVOCATION_MEMORY_MS`. The guard refuses an access token
 * whose `sid` is here: a revoked session's access tokens stop working within
 * the bus's delay (well under a second in process, about one on Kafka), not
 * when they expire.
 *
 * Every gateway instance keeps its own, in memory. On Kafka, each reads the
 * topic in a group of its own from `REVOCATION_MEMORY_MS` ago, and the gateway
 * listens only once it has caught up, so a restarted instance knows every
 * revocation a live token could be subject to. In process there is nothing to
 * read back: an access token issued before this gateway started is refused
 * too (`completeSince`); its client refreshes, which identity decides.
 */
@Injectable()
export class SessionRevocations implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(SessionRevocations.name);
  private readonly revokedAt = new Map<string, number>();
  private readonly subscription: IntegrationEventSubscription;
  /** Every revocation since this instant is known (once caught up). */
  readonly completeSince: number;
  private lastPruned = Date.now();

  constructor(@Inject(CONFIG) config: GatewayConfig) {
    const kafka = kafkaConnectionOf(config);
    this.completeSince = kafka ? Date.now() - REVOCATION_MEMORY_MS : Date.now();
    this.subscription = new IntegrationEventSubscription({
      name: SUBSCRIBER_NAME,
      topics: [INTEGRATION_TOPICS.identity],
      kafka,
      from: { lookbackMs: REVOCATION_MEMORY_MS },
      handle: (event) => this.apply(event),
    });
  }

  onModuleInit(): void {
    this.subscription.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.subscription.close();
  }

  /** Resolves once the revocations published before the start are known; rejects after `timeoutMs`. */
  async caughtUp(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`revoked sessions: ${INTEGRATION_TOPICS.identity} not read within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      await Promise.race([this.subscription.caughtUp, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Reads a `SessionRevoked` by its contract (libs/contracts). Fails safe: one
   * that is not as its contract says (or of a version this gateway does not
   * know) still revokes its session (the event's key), from now.
   */
  apply(event: IntegrationEvent): void {
    if (event.type !== 'SessionRevoked') return;
    const read = readIntegrationEvent(event);
    const revoked = read.outcome === 'known' && read.event.type === 'SessionRevoked' ? read.event : undefined;
    if (!revoked) {
      const problems = read.outcome === 'invalid' ? read.problems : `schemaVersion ${event.schemaVersion}`;
      this.logger.warn(`a SessionRevoked not as its contract says (${problems}): its session is revoked from now`);
    }
    this.revokedAt.set(event.aggregateId, revoked ? Date.parse(revoked.data.revokedAt) : Date.now());
    this.pruneNowAndThen();
  }

  /** Whether the guard must refuse this access token: its session was revoked, or may have been unseen. */
  refuses(principal: Principal): boolean {
    if (!principal.sid) return false;
    if (this.revokedAt.has(principal.sid)) return true;
    return principal.issuedAt !== undefined && principal.issuedAt < Math.floor(this.completeSince / 1000);
  }

  private pruneNowAndThen(now = Date.now()): void {
    if (now - this.lastPruned < 60_000) return;
    this.lastPruned = now;
    for (const [sessionId, revokedAt] of this.revokedAt) {
      if (revokedAt < now - REVOCATION_MEMORY_MS) this.revokedAt.delete(sessionId);
    }
    this.logger.debug(`${this.revokedAt.size} revoked session(s) remembered`);
  }
}
