import { describe, it } from 'vitest';
import { deciderSpec } from '#testing';
import { recipientDecider } from './recipient.decider.js';

const { given } = deciderSpec(recipientDecider);
const alice = { userId: 'u1', email: 'alice@example.com', orgId: 'o1', registeredAt: '2031-01-01T00:00:00.000Z' };

describe('recipient decider', () => {
  it('learns the address of a registered user', () => {
    given()
      .when({ type: 'RegisterRecipient', data: alice })
      .then([{ type: 'RecipientRegistered', data: alice }]);
  });

  it('learns it once: a redelivered registration changes nothing', () => {
    given({ type: 'RecipientRegistered', data: alice })
      .when({ type: 'RegisterRecipient', data: { ...alice, email: 'other@example.com' } })
      .thenNothingHappened();
  });
});
