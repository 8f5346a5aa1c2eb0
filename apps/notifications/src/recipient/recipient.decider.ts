import { assertNever } from '#contracts';
import type { Decider } from '#event-store';
import type { RecipientCommand } from './recipient.commands.js';
import type { RecipientEvent } from './recipient.events.js';

export type RecipientState =
  { readonly status: 'unknown' } | { readonly status: 'known'; readonly email: string; readonly orgId: string };

/** A user is registered once (identity's rule); a redelivered `UserRegistered` changes nothing. */
export const recipientDecider: Decider<RecipientCommand, RecipientEvent, RecipientState> = {
  initialState: () => ({ status: 'unknown' }),

  decide(command, state) {
    switch (command.type) {
      case 'RegisterRecipient':
        return state.status === 'known' ? [] : [{ type: 'RecipientRegistered', data: { ...command.data } }];
      default:
        return assertNever(command.type);
    }
  },

  evolve(_state, event) {
    switch (event.type) {
      case 'RecipientRegistered':
        return { status: 'known', email: event.data.email, orgId: event.data.orgId };
      default:
        return assertNever(event.type);
    }
  },
};
