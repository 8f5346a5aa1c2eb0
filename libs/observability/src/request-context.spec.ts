import { describe, expect, it } from 'vitest';
import { inRequestContextOf, requestContext, withRequestContext } from './request-context.js';

describe('the request context', () => {
  it('is empty outside any request', () => {
    expect(requestContext()).toEqual({});
  });

  it('adds to the context it runs in, a field left undefined keeping its value', async () => {
    await withRequestContext({ correlationId: 'req-1', actingSessionId: 's-1' }, async () => {
      await Promise.resolve();
      withRequestContext({ causationId: 'msg-1', correlationId: undefined }, () =>
        expect(requestContext()).toEqual({ correlationId: 'req-1', causationId: 'msg-1', actingSessionId: 's-1' }),
      );
      expect(requestContext()).toEqual({ correlationId: 'req-1', actingSessionId: 's-1' });
    });
  });

  it('starts afresh for work of its own (a reaction to an event)', () => {
    withRequestContext({ correlationId: 'req-1', actingSessionId: 's-1' }, () =>
      inRequestContextOf({ correlationId: 'req-1', causationId: 'event-1' }, () =>
        expect(requestContext()).toEqual({ correlationId: 'req-1', causationId: 'event-1' }),
      ),
    );
  });
});
