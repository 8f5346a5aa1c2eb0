import { describe, expect, it } from 'vitest';
import { isCorrelationId, requestIdOf } from './request-id.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('X-Request-Id', () => {
  it("keeps a client's id of 1 to 128 letters, digits and . _ : -", () => {
    for (const id of ['a', 'req-42', 'trace.id:0af7651916cd43dd_8448eb211c80319c', 'x'.repeat(128)]) {
      expect(requestIdOf(id)).toBe(id);
    }
    expect(requestIdOf(['first-of-two', 'second'])).toBe('first-of-two');
  });

  it('makes a fresh UUID for none, an empty one, a too long one, or one that could forge a log line', () => {
    const refused = [
      undefined,
      '',
      'x'.repeat(129),
      'a b',
      'line\nbreak',
      '{"level":"info"}',
      'ünïcode',
      'a/b',
      '<script>',
    ];
    const made = refused.map((id) => requestIdOf(id));
    for (const id of made) expect(id).toMatch(UUID);
    expect(new Set(made).size).toBe(refused.length);
  });

  it('takes on the bus only what the gateway could have made', () => {
    expect(isCorrelationId('req-42')).toBe(true);
    expect(isCorrelationId('a b')).toBe(false);
    expect(isCorrelationId(42)).toBe(false);
    expect(isCorrelationId(undefined)).toBe(false);
  });
});
