import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEventStore, eventStoreKindOf } from './create-event-store.js';
import { EventStoreDbEventStore } from './eventstoredb/eventstoredb-event-store.js';
import { PostgresEventStore } from './postgres/postgres-event-store.js';
import { SqliteEventStore } from './sqlite/sqlite-event-store.js';

const root = mkdtempSync(join(tmpdir(), 'create-event-store-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('createEventStore', () => {
  it('opens <dataDir>/<service>.sqlite when no EventStoreDB URL is set, creating the directory', async () => {
    const dataDir = join(root, 'nested', 'data');
    const store = createEventStore({ dataDir, service: 'mfa', eventStoreUrl: '' });
    try {
      expect(store).toBeInstanceOf(SqliteEventStore);
      await store.append('mfa-1', [{ id: crypto.randomUUID(), type: 'Probe', data: {} }], 'no_stream');
      expect(existsSync(join(dataDir, 'mfa.sqlite'))).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('keeps each service in its own file', async () => {
    const dataDir = join(root, 'per-service');
    const identity = createEventStore({ dataDir, service: 'identity' });
    const policy = createEventStore({ dataDir, service: 'policy' });
    try {
      await identity.append('user-1', [{ id: crypto.randomUUID(), type: 'UserRegistered', data: {} }], 'no_stream');
      expect(await policy.read('user-1')).toEqual([]);
    } finally {
      await Promise.all([identity.close(), policy.close()]);
    }
  });

  it("keeps a service's events in its own schema of the PostgreSQL database a postgres:// URL names", async () => {
    const url = process.env['POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
    const service = `spec_${crypto.randomUUID().slice(0, 8)}`;
    const store = createEventStore({ dataDir: join(root, 'unused'), service, eventStoreUrl: url });
    try {
      expect(store).toBeInstanceOf(PostgresEventStore);
      await store.append('user-1', [{ id: crypto.randomUUID(), type: 'UserRegistered', data: {} }], 'no_stream');
      const other = createEventStore({
        dataDir: join(root, 'unused'),
        service: `${service}_other`,
        eventStoreUrl: url,
      });
      expect(await other.read('user-1')).toEqual([]);
      await other.close();
      expect(existsSync(join(root, 'unused'))).toBe(false);
    } finally {
      await store.close();
      const pg = await import('pg');
      const client = new pg.default.Client({ connectionString: url });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${service}" CASCADE`);
      await client.query(`DROP SCHEMA IF EXISTS "${service}_other" CASCADE`);
      await client.end();
    }
  });

  it('connects to EventStoreDB when a URL is set', async () => {
    const store = createEventStore({
      dataDir: join(root, 'unused'),
      service: 'mfa',
      eventStoreUrl: 'esdb://localhost:2113?tls=false',
    });
    try {
      expect(store).toBeInstanceOf(EventStoreDbEventStore);
      expect(existsSync(join(root, 'unused'))).toBe(false);
    } finally {
      await store.close();
    }
  });

  it('names the EVENTSTORE_URL problem when the URL is malformed', () => {
    expect(() => createEventStore({ dataDir: root, service: 'mfa', eventStoreUrl: 'localhost:2113' })).toThrow(
      /^EVENTSTORE_URL is not a valid EventStoreDB connection string/,
    );
  });

  it('says which DATA_DIR cannot be written, and why', () => {
    const file = join(root, 'a-file');
    writeFileSync(file, '');
    const dataDir = join(file, 'data');
    expect(() => createEventStore({ dataDir, service: 'mfa' })).toThrow(`DATA_DIR ${dataDir} is not writable: ENOTDIR`);
  });

  it.skipIf(process.getuid?.() === 0)(
    'reports EACCES for a read-only DATA_DIR (skipped as root, who may write anyway)',
    () => {
      const dataDir = join(root, 'read-only');
      mkdirSync(dataDir);
      chmodSync(dataDir, 0o500);
      expect(() => createEventStore({ dataDir, service: 'mfa' })).toThrow(
        `DATA_DIR ${dataDir} is not writable: EACCES`,
      );
    },
  );

  it('refuses a service name that is not a plain file name', () => {
    expect(() => createEventStore({ dataDir: root, service: '../escape' })).toThrow(/cannot name an event store/);
  });
});

describe('eventStoreKindOf', () => {
  it('names the adapter EVENTSTORE_URL selects', () => {
    expect(eventStoreKindOf(undefined)).toBe('sqlite');
    expect(eventStoreKindOf('  ')).toBe('sqlite');
    expect(eventStoreKindOf('postgres://db/auth')).toBe('postgresql');
    expect(eventStoreKindOf('postgresql://db/auth')).toBe('postgresql');
    expect(eventStoreKindOf('esdb://localhost:2113?tls=false')).toBe('eventstoredb');
  });
});
