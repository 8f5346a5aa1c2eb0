import { Logger } from '@nestjs/common';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { DomainError, rpc } from '#contracts';
import { requestContext, withRequestContext, type RequestContext } from '#observability';
import { answer } from './answer.js';
import { frameRequest } from './rpc-envelope.js';

const activate = rpc('mfa.spec-activate', {
  request: z.object({ userId: z.string(), code1: z.string(), code2: z.string() }),
  response: z.object({ status: z.literal('active') }),
});
const payload = { userId: 'u1', code1: '123456', code2: '654321' };

describe('answer: the one place every request passes', () => {
  afterEach(() => vi.restoreAllMocks());

  it("handles the request in its context: the client's correlation id, the request as the cause, the session", async () => {
    const { envelope } = withRequestContext({ correlationId: 'req-login-1' }, () =>
      frameRequest(activate, payload, { recipients: {}, timeoutMs: 5000, actingSessionId: 's-1' }),
    );
    expect(envelope.meta.correlationId).toBe('req-login-1');
    let seen: RequestContext = {};
    const result = await answer(activate, JSON.parse(JSON.stringify(envelope)), async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      seen = requestContext();
      return { status: 'active' as const };
    });
    expect(result).toEqual({ ok: true, value: { status: 'active' } });
    expect(seen).toEqual({
      correlationId: 'req-login-1',
      causationId: envelope.meta.requestId,
      actingSessionId: 's-1',
    });
  });

  it('leaves one line per message: pattern, outcome and duration, never the payload', async () => {
    const lines: unknown[] = [];
    vi.spyOn(Logger.prototype, 'log').mockImplementation((line: unknown) => void lines.push(line));
    const frame = () => frameRequest(activate, payload, { recipients: {}, timeoutMs: 5000 }).envelope;
    await answer(activate, frame(), () => ({ status: 'active' as const }));
    await answer(activate, frame(), () => {
      throw new DomainError('invalid_codes', 'the codes do not match');
    });
    expect(lines).toEqual([
      expect.objectContaining({
        event: 'rpc_handled',
        pattern: 'mfa.spec-activate',
        outcome: 'ok',
        durationMs: expect.any(Number),
      }),
      expect.objectContaining({ event: 'rpc_handled', pattern: 'mfa.spec-activate', outcome: 'invalid_codes' }),
    ]);
    expect(JSON.stringify(lines)).not.toMatch(/123456|654321|u1/);
  });

  it('refuses a correlation id that could forge a log line', async () => {
    const { envelope } = frameRequest(activate, payload, { recipients: {}, timeoutMs: 5000 });
    const forged = { ...envelope, meta: { ...envelope.meta, correlationId: 'x"}\n{"level":"fatal' } };
    expect(await answer(activate, forged, () => ({ status: 'active' as const }))).toMatchObject({
      ok: false,
      error: { code: 'invalid_payload' },
    });
  });
});
