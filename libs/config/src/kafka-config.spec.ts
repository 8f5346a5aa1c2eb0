import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './load-config.js';

const dir = mkdtempSync(join(tmpdir(), 'kafka-config-'));
const caFile = join(dir, 'ca.pem');
writeFileSync(caFile, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
const passwordFile = join(dir, 'mfa.password');
writeFileSync(passwordFile, 'a-kafka-password\n');
const emptyFile = join(dir, 'empty');
writeFileSync(emptyFile, '');

const secured = {
  KAFKA_BROKERS: '127.0.0.1:9092',
  KAFKA_SSL_CA_FILE: caFile,
  KAFKA_SASL_USERNAME: 'mfa',
  KAFKA_SASL_PASSWORD_FILE: passwordFile,
};

describe('the Kafka connection settings', () => {
  it('default to no TLS, no login and no topic prefix', () => {
    const config = loadConfig('policy', { KAFKA_BROKERS: '127.0.0.1:9092' });
    expect([config.KAFKA_SSL_CA_FILE, config.KAFKA_SASL_MECHANISM, config.KAFKA_SASL_USERNAME]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    expect(config.KAFKA_TOPIC_PREFIX).toBe('');
  });

  it('take TLS with a login, the mechanism in any case, and treat empty values as unset', () => {
    const config = loadConfig('policy', { ...secured, KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512', KAFKA_SASL_PASSWORD: '' });
    expect(config.KAFKA_SASL_MECHANISM).toBe('scram-sha-512');
    expect(config.KAFKA_SASL_PASSWORD).toBeUndefined();
  });

  it.each([
    [{ ...secured, KAFKA_SSL_CA_FILE: undefined }, 'KAFKA_SASL_USERNAME needs KAFKA_SSL_CA_FILE'],
    [{ ...secured, KAFKA_SSL_CA_FILE: join(dir, 'missing.pem') }, 'KAFKA_SSL_CA_FILE must name a readable PEM file'],
    [{ ...secured, KAFKA_SSL_CA_FILE: passwordFile }, 'KAFKA_SSL_CA_FILE must name a readable PEM file'],
    [{ ...secured, KAFKA_SASL_PASSWORD_FILE: emptyFile }, 'KAFKA_SASL_PASSWORD_FILE must name a readable, non-empty'],
    [{ ...secured, KAFKA_SASL_PASSWORD_FILE: undefined }, 'KAFKA_SASL_USERNAME needs KAFKA_SASL_PASSWORD or'],
    [{ ...secured, KAFKA_SASL_PASSWORD: 'a-kafka-password' }, 'KAFKA_SASL_PASSWORD and KAFKA_SASL_PASSWORD_FILE'],
    [{ ...secured, KAFKA_SASL_USERNAME: undefined }, 'KAFKA_SASL_PASSWORD_FILE needs KAFKA_SASL_USERNAME'],
    [{ ...secured, KAFKA_SASL_MECHANISM: 'plain' }, 'KAFKA_SASL_MECHANISM must be scram-sha-512'],
    [{ ...secured, KAFKA_BROKERS: undefined }, 'KAFKA_SSL_CA_FILE needs KAFKA_BROKERS'],
    [{ KAFKA_BROKERS: '127.0.0.1:9092', KAFKA_TOPIC_PREFIX: 'a b' }, 'KAFKA_TOPIC_PREFIX must be at most 100 letters'],
  ])('refuse %o with one line naming the variable', (env, expected) => {
    expect(() => loadConfig('policy', env)).toThrow(ConfigError);
    expect(() => loadConfig('policy', env)).toThrow(expected);
  });

  it('never echo a password', () => {
    const env = { ...secured, KAFKA_SASL_PASSWORD_FILE: undefined, KAFKA_SASL_PASSWORD: 'a-kafka-password' };
    expect(() => loadConfig('policy', { ...env, KAFKA_SSL_CA_FILE: undefined })).toThrow(/^(?!.*a-kafka-password).*$/s);
  });
});
