import { GenericContainer, Wait, getContainerRuntimeClient, type StartedTestContainer } from 'testcontainers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEventStoreContract } from '../event-store.contract.js';
import { EventStoreDbEventStore, fromEsdbCurrentRevision, toEsdbExpectedRevision } from './eventstoredb-event-store.js';

const EVENTSTORE_IMAGE = 'eventstore/eventstore:24.10';
const HTTP_PORT = 2113;

/** Where the contract runs: a server named by EVENTSTORE_URL, a container, or nowhere (and why). */
type Target = { kind: 'url'; url: string } | { kind: 'container' } | { kind: 'none'; reason: string };

async function findTarget(): Promise<Target> {
  const url = process.env.EVENTSTORE_URL?.trim();
  if (url) return { kind: 'url', url };
  try {
    await getContainerRuntimeClient();
    return { kind: 'container' };
  } catch {
    return { kind: 'none', reason: 'EVENTSTORE_URL unset and no Docker engine reachable' };
  }
}

const target = await findTarget();

describe('EventStoreDbEventStore against a server', () => {
  let connectionString = '';
  let container: StartedTestContainer | undefined;

  beforeAll(async () => {
    if (target.kind === 'url') connectionString = target.url;
    if (target.kind === 'container') {
      container = await new GenericContainer(EVENTSTORE_IMAGE)
        .withEnvironment({
          EVENTSTORE_INSECURE: 'true',
          EVENTSTORE_MEM_DB: 'true',
          EVENTSTORE_RUN_PROJECTIONS: 'None',
        })
        .withExposedPorts(HTTP_PORT)
        .withWaitStrategy(Wait.forHttp('/health/live', HTTP_PORT).forStatusCodeMatching((status) => status < 300))
        .withStartupTimeout(120_000)
        .start();
      connectionString = `esdb://${container.getHost()}:${container.getMappedPort(HTTP_PORT)}?tls=false`;
    }
  }, 180_000);
  afterAll(async () => {
    await container?.stop();
  });

  describeEventStoreContract('EventStoreDB', async () => new EventStoreDbEventStore(connectionString), {
    ...(target.kind === 'none' ? { skipReason: target.reason } : {}),
    timeoutMs: 30_000,
  });
});

describe('EventStoreDbEventStore without a server', () => {
  it('rejects a malformed EVENTSTORE_URL at construction, without echoing it', () => {
    const construct = () => new EventStoreDbEventStore('https://admin:s3cret@db.example:2113');
    expect(construct).toThrow(/^EVENTSTORE_URL is not a valid EventStoreDB connection string/);
    expect(construct).not.toThrow(/s3cret/);
  });

  it('accepts a well-formed connection string without connecting', async () => {
    const store = new EventStoreDbEventStore('esdb://localhost:2113?tls=false');
    await store.close();
  });

  it('maps expected revisions to the client and current revisions back', () => {
    expect(toEsdbExpectedRevision('any')).toBe('any');
    expect(toEsdbExpectedRevision('no_stream')).toBe('no_stream');
    expect(toEsdbExpectedRevision(41)).toBe(41n);
    expect(fromEsdbCurrentRevision('no_stream')).toBe('no_stream');
    expect(fromEsdbCurrentRevision(7n)).toBe(7);
  });

  it('rejects an invalid expected revision before calling the server', async () => {
    const store = new EventStoreDbEventStore('esdb://localhost:1?tls=false');
    try {
      await expect(store.append('s-1', [], -1)).rejects.toBeInstanceOf(RangeError);
    } finally {
      await store.close();
    }
  });
});
