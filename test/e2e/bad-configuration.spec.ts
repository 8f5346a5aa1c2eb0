import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';

/** A start with bad configuration ends at once with one line naming the problem, not a loop of stack traces. */
function start(app: string, env: Record<string, string>) {
  const { KAFKA_BROKERS: _unset, ...inherited } = process.env;
  const result = spawnSync(process.execPath, [`dist/apps/${app}/src/main.js`], {
    env: { ...inherited, DATA_DIR: mkdtempSync(join(tmpdir(), 'bad-config-')), PORT: '0', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  const lines = `${result.stdout}${result.stderr}`.split('\n').filter((line) => line.includes('cannot start'));
  return { status: result.status, lines, stderr: result.stderr };
}

describe('bad configuration', () => {
  it('an unreachable KAFKA_BROKERS', () => {
    const { status, lines, stderr } = start('mfa', { KAFKA_BROKERS: '127.0.0.1:1' });
    expect(status).toBe(1);
    expect(lines).toEqual([expect.stringContaining('Kafka brokers 127.0.0.1:1 unreachable (KAFKA_BROKERS)')]);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('an unreachable KAFKA_BROKERS, for the gateway too', () => {
    const { status, lines, stderr } = start('gateway', { KAFKA_BROKERS: '127.0.0.1:1' });
    expect(status).toBe(1);
    expect(lines).toEqual([expect.stringContaining('Kafka brokers 127.0.0.1:1 unreachable (KAFKA_BROKERS)')]);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('a Kafka login without TLS', () => {
    const { status, lines } = start('mfa', {
      KAFKA_BROKERS: '127.0.0.1:1',
      KAFKA_SASL_USERNAME: 'mfa',
      KAFKA_SASL_PASSWORD: 'a-kafka-password',
    });
    expect(status).toBe(1);
    expect(lines).toEqual([expect.stringContaining('KAFKA_SASL_USERNAME needs KAFKA_SSL_CA_FILE')]);
    expect(lines.join()).not.toContain('a-kafka-password');
  });

  it.skipIf(!inject('kafkaSecured'))('a wrong Kafka password, without echoing it', () => {
    const { status, lines, stderr } = start('mfa', {
      ...inject('kafkaClients').mfa,
      KAFKA_SASL_PASSWORD_FILE: '',
      KAFKA_SASL_PASSWORD: 'not-the-kafka-password',
    });
    expect(status).toBe(1);
    expect(lines).toEqual([expect.stringContaining('Kafka refused the login of mfa')]);
    expect(stderr).not.toContain('not-the-kafka-password');
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('a malformed EVENTSTORE_URL', () => {
    const { status, lines } = start('standalone', { EVENTSTORE_URL: 'http://localhost:2113' });
    expect(status).toBe(1);
    expect(lines).toEqual([expect.stringContaining('EVENTSTORE_URL must be an esdb://')]);
  });

  it('an unwritable DATA_DIR', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'bad-config-')), 'a-file');
    writeFileSync(file, '');
    const { status, lines } = start('standalone', { DATA_DIR: join(file, 'data') });
    expect(status).toBe(1);
    expect(lines).toEqual([expect.stringContaining(`DATA_DIR ${join(file, 'data')} is not writable`)]);
  });

  it('an invalid MFA_ENCRYPTION_KEY, without echoing it', () => {
    const { status, lines } = start('standalone', { MFA_ENCRYPTION_KEY: 'bm90LWEta2V5' });
    expect(status).toBe(1);
    expect(lines).toEqual([expect.stringContaining('MFA_ENCRYPTION_KEY must be a base64-encoded 32-byte key')]);
    expect(lines.join()).not.toContain('bm90LWEta2V5');
  });
});
