import { describe, expect, it } from 'vitest';
import type { IntegrationEvent } from '#contracts';
import { readinessReports, requestContext, type RequestContext } from '#observability';
import { InProcessBus } from '../in-process/in-process-bus.js';
import { IntegrationEventSubscription } from './integration-event-subscription.js';

const event = (eventId: string, extra: Partial<IntegrationEvent> = {}): IntegrationEvent => ({
  eventId,
  type: 'UserPasswordChanged',
  schemaVersion: 1,
  aggregateId: 'u1',
  userId: 'u1',
  occurredAt: '2031-03-04T05:06:07.000Z',
  source: { stream: 'user-u1', revision: 3, position: '42' },
  data: { schemaVersion: 1 },
  ...extra,
});

describe('a subscription to integration events', () => {
  it('runs each reaction caused by its event, in the correlation of the request the event goes back to', async () => {
    const bus = new InProcessBus();
    const seen: RequestContext[] = [];
    const subscription = new IntegrationEventSubscription({
      name: 'spec-reaction',
      topics: ['auth.identity.events'],
      from: 'committed',
      bus,
      handle: () => void seen.push(requestContext()),
    });
    subscription.start();
    try {
      await bus.emit('auth.identity.events', event('e1', { correlationId: 'req-1', actingSessionId: 's-1' }));
      await bus.emit('auth.identity.events', event('e2'));
      // The acting session is the event's, not the reaction's: its own events are not made in that session.
      expect(seen).toEqual([
        { correlationId: 'req-1', causationId: 'e1' },
        { correlationId: 'e2', causationId: 'e2' },
      ]);
      expect((await readinessReports())['subscription spec-reaction']).toMatchObject({ status: 'up' });
    } finally {
      await subscription.close();
    }
    expect((await readinessReports())['subscription spec-reaction']).toBeUndefined();
  });
});
