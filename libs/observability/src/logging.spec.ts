import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { pinoOptions } from './logging.js';
import { REDACTED } from './redaction.js';
import { inRequestContextOf, withRequestContext } from './request-context.js';

/** A pino logger with the processes' options, writing its JSON lines into `lines`. */
function capturingLogger(level: 'info' | 'debug' = 'info') {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: pino(pinoOptions('spec', { LOG_LEVEL: level }), destination), lines };
}

describe('the process logger', () => {
  it('writes one JSON line with the level by name, an ISO time and the process name', () => {
    const { logger, lines } = capturingLogger();
    logger.info({ event: 'rpc_handled', pattern: 'mfa.activate' }, 'handled');
    logger.debug('not at info level');
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'info',
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        service: 'spec',
        event: 'rpc_handled',
        pattern: 'mfa.activate',
        msg: 'handled',
      }),
    ]);
  });

  it('redacts credentials and secret fields wherever an object logged by mistake holds them', () => {
    const { logger, lines } = capturingLogger();
    logger.info({
      req: { headers: { authorization: 'Bearer eyJhbGciOi.payload.sig', cookie: 'refresh=r1', accept: 'json' } },
      res: { headers: { 'set-cookie': 'refresh=r2' } },
      password: 'hunter2hunter2',
      body: { code: '123456', recoveryCode: 'abcd-efgh-jkmn-pqrs', mfaToken: 'mfa.jwt.here' },
      reply: { secret: 'JBSWY3DPEHPK3PXP', accessToken: 'a.b.c', refreshToken: 'r.e.f' },
      user: { id: 'u1', newPassword: 'another one' },
    });
    const [line] = lines;
    expect(line).toMatchObject({
      req: { headers: { authorization: REDACTED, cookie: REDACTED, accept: 'json' } },
      res: { headers: { 'set-cookie': REDACTED } },
      password: REDACTED,
      body: { code: REDACTED, recoveryCode: REDACTED, mfaToken: REDACTED },
      reply: { secret: REDACTED, accessToken: REDACTED, refreshToken: REDACTED },
      user: { id: 'u1', newPassword: REDACTED },
    });
    const text = JSON.stringify(lines);
    for (const secret of ['hunter2', '123456', 'abcd-efgh', 'JBSWY3DP', 'eyJhbGciOi', 'refresh=r', 'another one']) {
      expect(text).not.toContain(secret);
    }
  });

  it('puts the correlation id of the work in progress on every line', async () => {
    const { logger, lines } = capturingLogger();
    logger.info('outside any request');
    await inRequestContextOf({ correlationId: 'req-1' }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      logger.info('inside, after an await');
      withRequestContext({ causationId: 'msg-1' }, () => logger.info('nested'));
    });
    expect(lines.map((line) => [line.msg, line.correlationId])).toEqual([
      ['outside any request', undefined],
      ['inside, after an await', 'req-1'],
      ['nested', 'req-1'],
    ]);
  });
});
