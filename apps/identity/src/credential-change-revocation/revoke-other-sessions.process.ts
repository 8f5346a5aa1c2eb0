import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { INTEGRATION_TOPICS, type IntegrationEvent } from '#contracts';
import { CLOCK, CONFIG, type Clock, type IdentityConfig } from '#config';
import { IntegrationEventSubscription, kafkaConnectionOf } from '#messaging';
import { sessionStream } from '../sessions/session.events.js';
import { SessionRepository } from '../sessions/session.repository.js';
import { sessionsToRevoke } from '../user-sessions/user-sessions.decider.js';
import { userSessionsStream } from '../user-sessions/user-sessions.events.js';
import { UserSessionsRepository } from '../user-sessions/user-sessions.repository.js';
import { credentialChangeOf, type CredentialChange } from './credential-changes.js';

/** Its Kafka consumer group (with the installation's prefix): identity's ACLs allow exactly this one. */
export const SESSION_REVOCATION_GROUP = 'identity-session-revocation';

/**
 * A password, role or MFA change revokes the user's other sessions. It reacts
 * to the change's event (identity's own on `auth.identity.events`, mfa's on
 * `auth.mfa.events`), not to the request that made it: the event is written
 * whatever happens to the process after, and comes at least once (the
 * relays republish from their checkpoints; on Kafka, offsets are committed
 * only after an event is handled), so a crash anywhere leaves nothing half
 * done, only done again. Two steps, each idempotent:
 *
 * 1. `UserSessionsRevoked` in `user_sessions-<userId>`: from then on no sign-in
 *    begun before the change can start a session (the index orders the two);
 * 2. `SessionRevoked` in each listed session signed in before the change,
 *    except the one the change was made in (`actingSessionId`).
 *
 * A redelivery finds step 1 done and does step 2 again (already revoked
 * sessions change nothing), with the same sessions: those signed in before
 * the change, however late it comes. The gateway learns of each revocation
 * from `SessionRevoked` on `auth.identity.events`.
 */
@Injectable()
export class RevokeOtherSessionsProcess implements OnModuleInit, OnApplicationShutdown {
  private readonly subscription: IntegrationEventSubscription;

  constructor(
    private readonly userSessions: UserSessionsRepository,
    private readonly sessions: SessionRepository,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONFIG) config: IdentityConfig,
  ) {
    this.subscription = new IntegrationEventSubscription({
      name: SESSION_REVOCATION_GROUP,
      topics: [INTEGRATION_TOPICS.identity, INTEGRATION_TOPICS.mfa],
      kafka: kafkaConnectionOf(config),
      from: 'committed',
      handle: (event) => this.handle(event),
    });
  }

  /** Before any relay starts (they start on bootstrap): in process, an event published earlier is not seen again. */
  onModuleInit(): void {
    this.subscription.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.subscription.close();
  }

  async handle(event: IntegrationEvent): Promise<void> {
    const change = credentialChangeOf(event);
    if (change) await this.revoke(change);
  }

  private async revoke({ userId, at, exceptSessionId, reason }: CredentialChange): Promise<void> {
    const now = this.clock.now();
    const { state } = await this.userSessions.handle(userSessionsStream(userId), {
      type: 'RevokeUserSessions',
      data: { userId, before: at, exceptSessionId, reason, now },
    });
    for (const { sessionId } of sessionsToRevoke(state, at, exceptSessionId)) {
      await this.sessions.handle(sessionStream(sessionId), { type: 'RevokeSession', data: { userId, reason, now } });
    }
  }
}
