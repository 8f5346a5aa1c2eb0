import { describe, expect, it } from 'vitest';
import { withRequestContext } from '#observability';
import { CORRELATION_HEADER, correlationIdOf, withCorrelationHeader } from './correlation-header.js';

const json = withCorrelationHeader({
  serialize: (data: unknown) => ({ value: JSON.stringify(data), headers: {} }),
});

describe('the x-correlation-id Kafka header', () => {
  it('goes on a request from its envelope, on a reply from the context its request was handled in', async () => {
    const request = (await json.serialize({ meta: { requestId: 'r1', correlationId: 'req-1' }, body: {} })) as {
      headers: Record<string, string>;
    };
    expect(request.headers[CORRELATION_HEADER]).toBe('req-1');
    const reply = (await withRequestContext({ correlationId: 'req-2' }, () => json.serialize({ ok: true }))) as {
      headers: Record<string, string>;
    };
    expect(reply.headers[CORRELATION_HEADER]).toBe('req-2');
    const outside = (await json.serialize({ ok: true })) as { headers: Record<string, string> };
    expect(outside.headers).toEqual({});
  });

  it('is read back from the bytes kafkajs hands over, and ignored when it is no usable id', () => {
    expect(correlationIdOf({ [CORRELATION_HEADER]: Buffer.from('req-1') })).toBe('req-1');
    expect(correlationIdOf({ [CORRELATION_HEADER]: Buffer.from('two words') })).toBeUndefined();
    expect(correlationIdOf({})).toBeUndefined();
    expect(correlationIdOf(undefined)).toBeUndefined();
  });
});
