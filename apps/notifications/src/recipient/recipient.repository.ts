import { Inject, Injectable } from '@nestjs/common';
import { AggregateRepository, EVENT_STORE, type EventStore } from '#event-store';
import { recipientCodec } from './recipient.codec.js';
import type { RecipientCommand } from './recipient.commands.js';
import { recipientDecider, type RecipientState } from './recipient.decider.js';
import { recipientStream, type RecipientEvent } from './recipient.events.js';

/** `recipient-<userId>` streams. */
@Injectable()
export class RecipientRepository extends AggregateRepository<RecipientCommand, RecipientEvent, RecipientState> {
  constructor(@Inject(EVENT_STORE) store: EventStore) {
    super(store, { decider: recipientDecider, codec: recipientCodec });
  }

  /** The user's address, or null while `UserRegistered` has not been seen. */
  async emailOf(userId: string): Promise<string | null> {
    const { state } = await this.load(recipientStream(userId));
    return state.status === 'known' ? state.email : null;
  }
}
