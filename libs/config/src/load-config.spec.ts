import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './load-config.js';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      PORT: 3000,
      DATA_DIR: './data',
      MFA_MAX_FAILED_ATTEMPTS: 5,
      MFA_LOCKOUT_SECONDS: 300,
      TRUST_PROXY: false,
      LOGIN_RATE_LIMIT_PER_MINUTE: 60,
    });
    expect(config.KAFKA_BROKERS).toBeUndefined();
    expect(config.EVENTSTORE_URL).toBeUndefined();
  });

  it('splits KAFKA_BROKERS and reads flags', () => {
    const config = loadConfig({ KAFKA_BROKERS: '127.0.0.1:9092, 127.0.0.1:9093', TRUST_PROXY: 'true' });
    expect(config.KAFKA_BROKERS).toEqual(['127.0.0.1:9092', '127.0.0.1:9093']);
    expect(config.TRUST_PROXY).toBe(true);
  });

  it.each([
    [{ EVENTSTORE_URL: 'http://localhost:2113' }, 'EVENTSTORE_URL must be an esdb://'],
    [{ KAFKA_BROKERS: 'not a broker' }, 'KAFKA_BROKERS must be a comma-separated list'],
    [{ MFA_ENCRYPTION_KEY: 'c2hvcnQ=' }, 'MFA_ENCRYPTION_KEY must be a base64-encoded 32-byte key'],
    [{ PORT: 'eighty' }, 'PORT'],
    [{ BOOTSTRAP_ADMIN_EMAIL: 'a@example.com' }, 'must be set together'],
  ])('refuses %o with one line naming the variable', (env, expected) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(expected);
  });

  it('never echoes a rejected secret', () => {
    const key = 'dG9vLXNob3J0LXNlY3JldA==';
    expect(() => loadConfig({ MFA_ENCRYPTION_KEY: key })).toThrow(/^(?!.*dG9vLXNob3J0).*$/s);
  });
});
