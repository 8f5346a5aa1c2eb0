import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './load-config.js';

const key = () => Buffer.alloc(32, 7).toString('base64');

describe('loadConfig', () => {
  it('applies the documented defaults, per process', () => {
    expect(loadConfig('gateway', {})).toMatchObject({
      PORT: 3000,
      DATA_DIR: './data',
      TRUST_PROXY: false,
      LOGIN_RATE_LIMIT_PER_MINUTE: 60,
    });
    expect(loadConfig('mfa', {})).toMatchObject({ MFA_MAX_FAILED_ATTEMPTS: 5, MFA_LOCKOUT_SECONDS: 300 });
    expect(loadConfig('identity', {})).toMatchObject({
      PASSWORD_DELAY_AFTER_FAILURES: 5,
      PASSWORD_DELAY_BASE_SECONDS: 1,
      PASSWORD_DELAY_MAX_SECONDS: 3600,
      PASSWORD_LOCK_AFTER_FAILURES: 100,
    });
    expect(loadConfig('gateway', {}).REDIS_URL).toBeUndefined();
    expect(loadConfig('gateway', {}).REDIS_KEY_PREFIX).toBe('totp-mfa:');
    expect(loadConfig('gateway', { REDIS_URL: '' }).REDIS_URL).toBeUndefined();
    expect(loadConfig('gateway', { REDIS_URL: 'rediss://:pw@cache.internal:6380/2' }).REDIS_URL).toBe(
      'rediss://:pw@cache.internal:6380/2',
    );
    const policy = loadConfig('policy', {});
    expect(policy.KAFKA_BROKERS).toBeUndefined();
    expect(policy.EVENTSTORE_URL).toBeUndefined();
  });

  it('splits KAFKA_BROKERS and reads flags', () => {
    const config = loadConfig('gateway', { KAFKA_BROKERS: '127.0.0.1:9092, 127.0.0.1:9093', TRUST_PROXY: 'true' });
    expect(config.KAFKA_BROKERS).toEqual(['127.0.0.1:9092', '127.0.0.1:9093']);
    expect(config.TRUST_PROXY).toBe(1);
  });

  it("reads only the process's own settings: another service's secret is not even parsed", () => {
    const env = {
      MFA_ENCRYPTION_KEY: key(),
      JWT_PRIVATE_KEY: 'a pem',
      BOOTSTRAP_ADMIN_PASSWORD: 'x',
      BOOTSTRAP_ADMIN_EMAIL: 'a@example.com',
      IDENTITY_SEALING_PRIVATE_KEY: key(),
    };
    expect(Object.keys(loadConfig('policy', env))).not.toContain('MFA_ENCRYPTION_KEY');
    expect(Object.keys(loadConfig('gateway', env))).toEqual(
      expect.not.arrayContaining(['MFA_ENCRYPTION_KEY', 'BOOTSTRAP_ADMIN_PASSWORD', 'IDENTITY_SEALING_PRIVATE_KEY']),
    );
    expect(Object.keys(loadConfig('mfa', env))).toEqual(
      expect.not.arrayContaining(['JWT_PRIVATE_KEY', 'IDENTITY_SEALING_PRIVATE_KEY']),
    );
    expect(Object.keys(loadConfig('identity', env))).toEqual(
      expect.not.arrayContaining(['JWT_PRIVATE_KEY', 'MFA_ENCRYPTION_KEY']),
    );
    // A bad value of another process's setting does not stop this one.
    expect(() => loadConfig('policy', { MFA_ENCRYPTION_KEY: 'c2hvcnQ=' })).not.toThrow();
  });

  it.each([
    ['policy', { EVENTSTORE_URL: 'http://localhost:2113' }, 'EVENTSTORE_URL must be an esdb://'],
    ['policy', { KAFKA_BROKERS: 'not a broker' }, 'KAFKA_BROKERS must be a comma-separated list'],
    ['mfa', { MFA_ENCRYPTION_KEY: 'c2hvcnQ=' }, 'MFA_ENCRYPTION_KEY must be a base64-encoded 32-byte key'],
    ['gateway', { PORT: 'eighty' }, 'PORT'],
    ['identity', { BOOTSTRAP_ADMIN_EMAIL: 'a@example.com' }, 'must be set together'],
    ['gateway', { REDIS_URL: 'http://127.0.0.1:6379' }, 'REDIS_URL must be a redis:// or rediss:// URL'],
    ['identity', { PASSWORD_LOCK_AFTER_FAILURES: '3' }, 'PASSWORD_LOCK_AFTER_FAILURES must be at least'],
    ['identity', { PASSWORD_DELAY_MAX_SECONDS: '1', PASSWORD_DELAY_BASE_SECONDS: '2' }, 'PASSWORD_DELAY_MAX_SECONDS'],
  ] as const)('%s refuses %o with one line naming the variable', (app, env, expected) => {
    expect(() => loadConfig(app, env)).toThrow(ConfigError);
    expect(() => loadConfig(app, env)).toThrow(expected);
  });

  describe('in production (NODE_ENV=production)', () => {
    it.each([
      ['gateway', ['JWT_PRIVATE_KEY', 'IDENTITY_SEALING_PUBLIC_KEY', 'MFA_SEALING_PUBLIC_KEY']],
      ['identity', ['IDENTITY_SEALING_PRIVATE_KEY']],
      ['mfa', ['MFA_ENCRYPTION_KEY', 'MFA_SEALING_PRIVATE_KEY']],
    ] as const)('%s refuses to start without its keys (no development keys)', (app, names) => {
      for (const name of names) {
        expect(() => loadConfig(app, { NODE_ENV: 'production' })).toThrow(
          `${name} must be set when NODE_ENV=production`,
        );
      }
    });

    it('starts with its keys given', () => {
      expect(() =>
        loadConfig('mfa', { NODE_ENV: 'production', MFA_ENCRYPTION_KEY: key(), MFA_SEALING_PRIVATE_KEY: key() }),
      ).not.toThrow();
      expect(() => loadConfig('policy', { NODE_ENV: 'production' })).not.toThrow();
    });
  });

  it('never echoes a rejected secret', () => {
    const secret = 'dG9vLXNob3J0LXNlY3JldA==';
    expect(() => loadConfig('mfa', { MFA_ENCRYPTION_KEY: secret })).toThrow(/^(?!.*dG9vLXNob3J0).*$/s);
  });
});
