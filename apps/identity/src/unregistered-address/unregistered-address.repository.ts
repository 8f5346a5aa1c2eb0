import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, type IdentityConfig } from '#config';
import { AggregateRepository, EVENT_STORE, type EventStore } from '#event-store';
import { passwordThrottleOf, type PasswordThrottlePolicy } from '../password-attempts/password-attempts.js';
import { unregisteredAddressEventCodec } from './unregistered-address.codec.js';
import type { UnregisteredAddressCommand } from './unregistered-address.commands.js';
import { createUnregisteredAddressDecider, type UnregisteredAddressState } from './unregistered-address.decider.js';
import type { UnregisteredAddressEvent } from './unregistered-address.events.js';

/** As `UserRepository`'s: a burst of parallel guesses at one address ends in refusals, not internal errors. */
const RETRY = { maxAttempts: 10, baseDelayMs: 5 } as const;

/** `unregistered_address-<sha256>` streams, decided with the configured password throttle. */
@Injectable()
export class UnregisteredAddressRepository extends AggregateRepository<
  UnregisteredAddressCommand,
  UnregisteredAddressEvent,
  UnregisteredAddressState
> {
  readonly throttle: PasswordThrottlePolicy;

  constructor(@Inject(EVENT_STORE) store: EventStore, @Inject(CONFIG) config: IdentityConfig) {
    const throttle = passwordThrottleOf(config);
    super(store, {
      decider: createUnregisteredAddressDecider(throttle),
      codec: unregisteredAddressEventCodec,
      retry: RETRY,
    });
    this.throttle = throttle;
  }
}
