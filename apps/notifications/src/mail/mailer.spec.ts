import { describe, expect, it } from 'vitest';
import { describeSendFailure, messageIdOf } from './mailer.js';

describe('mailer', () => {
  it('derives one Message-ID per event from its id and the sender’s domain', () => {
    const id = '0b6f7a8e-3c2d-4e5f-8a9b-0c1d2e3f4a5b';
    expect(messageIdOf(id, 'totp-mfa <security@mail.example.com>')).toBe(`<${id}.notification@mail.example.com>`);
    expect(messageIdOf(id, 'security@example.com')).toBe(`<${id}.notification@example.com>`);
    expect(messageIdOf(id, 'nobody')).toBe(`<${id}.notification@localhost>`);
  });

  it('hashes an event id that is not plain, so it cannot break the header or a file name', () => {
    expect(messageIdOf('a>b/../c', 'x@example.com')).toMatch(/^<[0-9a-f]{64}\.notification@example\.com>$/);
  });

  it('describes a failed send by its code and SMTP status only, never the server’s words', () => {
    const refused = Object.assign(new Error('451 4.7.1 <ann@example.com>: try later, token=abc'), {
      code: 'EENVELOPE',
      responseCode: 451,
      response: '451 4.7.1 <ann@example.com>: try later, token=abc',
    });
    expect(describeSendFailure(refused)).toBe('EENVELOPE 451');
    expect(describeSendFailure(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ESOCKET' }))).toBe('ESOCKET');
    expect(describeSendFailure(new TypeError('x'))).toBe('TypeError');
    expect(describeSendFailure({ code: 'not a code: secret' })).toBe('Error');
  });
});
