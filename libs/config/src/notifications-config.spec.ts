import { describe, expect, it } from 'vitest';
import { loadConfig } from './load-config.js';

describe('the notifications service’s configuration', () => {
  it('defaults to the outbox (no SMTP_URL), five tries with backoff, a minute’s wait for an address', () => {
    expect(loadConfig('notifications', {}).SMTP_URL).toBeUndefined();
    expect(loadConfig('notifications', {})).toMatchObject({
      MAIL_FROM: 'totp-mfa <no-reply@localhost>',
      NOTIFICATIONS_MAX_ATTEMPTS: 5,
      NOTIFICATIONS_RETRY_INITIAL_MS: 1000,
      NOTIFICATIONS_RETRY_MAX_MS: 60_000,
      NOTIFICATIONS_SEND_TIMEOUT_MS: 30_000,
      NOTIFICATIONS_RECIPIENT_WAIT_MS: 60_000,
      DATA_DIR: './data',
    });
    expect(loadConfig('notifications', { SMTP_URL: '' }).SMTP_URL).toBeUndefined();
  });

  it('reads an smtp:// or smtps:// URL, login included', () => {
    const url = 'smtps://mailer:s3cret@smtp.example.com:465';
    expect(loadConfig('notifications', { SMTP_URL: url, MAIL_FROM: 'Security <security@example.com>' })).toMatchObject({
      SMTP_URL: url,
      MAIL_FROM: 'Security <security@example.com>',
    });
  });

  it.each([
    [{ SMTP_URL: 'http://smtp.example.com' }, 'SMTP_URL must be an smtp:// or smtps:// URL'],
    [{ NOTIFICATIONS_MAX_ATTEMPTS: '0' }, 'NOTIFICATIONS_MAX_ATTEMPTS'],
    [
      { NOTIFICATIONS_RETRY_INITIAL_MS: '5000', NOTIFICATIONS_RETRY_MAX_MS: '1000' },
      'NOTIFICATIONS_RETRY_MAX_MS must be at least',
    ],
    [{ KAFKA_SASL_USERNAME: 'notifications' }, 'KAFKA'],
  ])('refuses %o, naming the variable and never its value', (env, problem) => {
    expect(() => loadConfig('notifications', env)).toThrow(problem);
  });

  it('never shows the SMTP login in a refusal', () => {
    expect(() => loadConfig('notifications', { SMTP_URL: 'ftp://mailer:s3cret@host' })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('s3cret') }),
    );
  });

  it('reads only its own settings', () => {
    const config = loadConfig('notifications', {
      MFA_ENCRYPTION_KEY: 'x',
      JWT_PRIVATE_KEY: 'pem',
      BOOTSTRAP_ADMIN_PASSWORD: 'pw',
    });
    expect(Object.keys(config)).toEqual(
      expect.not.arrayContaining(['MFA_ENCRYPTION_KEY', 'JWT_PRIVATE_KEY', 'BOOTSTRAP_ADMIN_PASSWORD']),
    );
  });
});
