import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, type IdentityConfig } from '#config';
import { AggregateRepository, EVENT_STORE, type EventStore } from '#event-store';
import { passwordThrottleOf, type PasswordThrottlePolicy } from '../password-attempts/password-attempts.js';
import { userEventCodec } from './user.codec.js';
import type { UserCommand } from './user.commands.js';
import { createUserDecider, type UserState } from './user.decider.js';
import type { UserEvent } from './user.events.js';

/**
 * Conflicts on one user's stream come mostly from that user's concurrent
 * password attempts (an attacker's parallel guesses): each retry decides on
 * the new state, so once the failures before it land an attempt is refused
 * for the delay; a few more attempts than the default let a burst all get
 * that answer rather than an internal error.
 */
const RETRY = { maxAttempts: 10, baseDelayMs: 5 } as const;

/** `user-<id>` streams, decided with the configured password throttle. */
@Injectable()
export class UserRepository extends AggregateRepository<UserCommand, UserEvent, UserState> {
  /** The throttle the decider applies: handlers ask it too, before spending argon2. */
  readonly throttle: PasswordThrottlePolicy;

  constructor(@Inject(EVENT_STORE) store: EventStore, @Inject(CONFIG) config: IdentityConfig) {
    const throttle = passwordThrottleOf(config);
    super(store, { decider: createUserDecider(throttle), codec: userEventCodec, retry: RETRY });
    this.throttle = throttle;
  }
}
