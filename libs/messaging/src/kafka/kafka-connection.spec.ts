import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { describe, expect, it, vi } from 'vitest';
import { kafkaConnectionSchema } from '#config';
import { kafkaConnectionOf } from './kafka-connection.js';
import { kafkaCallerOptions, kafkaClientConfig, kafkaServerOptions } from './kafka-options.js';

const dir = mkdtempSync(join(tmpdir(), 'kafka-connection-'));
const ca = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
writeFileSync(join(dir, 'ca.pem'), ca);
writeFileSync(join(dir, 'mfa.password'), 'a-kafka-password\n');

const connectionOf = (env: Record<string, string>) => kafkaConnectionOf(kafkaConnectionSchema.parse(env));

describe('kafkaConnectionOf', () => {
  it('reads the CA and the password files into every kafkajs client, and prefixes groups', () => {
    const connection = connectionOf({
      KAFKA_BROKERS: '127.0.0.1:9092',
      KAFKA_SSL_CA_FILE: join(dir, 'ca.pem'),
      KAFKA_SASL_USERNAME: 'mfa',
      KAFKA_SASL_PASSWORD_FILE: join(dir, 'mfa.password'),
      KAFKA_TOPIC_PREFIX: 'staging.',
    })!;

    expect(kafkaClientConfig('mfa-relay', connection)).toMatchObject({
      brokers: ['127.0.0.1:9092'],
      ssl: { ca },
      sasl: { mechanism: 'scram-sha-512', username: 'mfa', password: 'a-kafka-password' },
    });
    expect(kafkaServerOptions('mfa', connection).consumer?.groupId).toBe('staging.mfa');
    expect(kafkaCallerOptions('gateway', connection).consumer?.groupId).toBe('staging.gateway-replies');
  });

  it('is none without KAFKA_BROKERS (the in-process transport)', () => {
    expect(connectionOf({})).toBeUndefined();
  });

  it('warns once per process about a broker without TLS or login, naming no secret', () => {
    const warn = vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const plaintext = connectionOf({ KAFKA_BROKERS: '127.0.0.1:9092' });
    connectionOf({ KAFKA_BROKERS: '127.0.0.1:9092' });

    expect(plaintext).toEqual({ brokers: ['127.0.0.1:9092'], topicPrefix: '' });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]?.[0]).toMatch(/no TLS .* no login .* development broker only/);
    warn.mockRestore();
  });
});
