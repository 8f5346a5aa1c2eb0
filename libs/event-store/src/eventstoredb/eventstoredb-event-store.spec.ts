import {
  GenericContainer,
  ImageName,
  Wait,
  getContainerRuntimeClient,
  type StartedTestContainer,
} from 'testcontainers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEventStoreContract } from '../event-store.contract.js';
import {
  EventStoreDbEventStore,
  fromEsdbCurrentRevision,
  packPosition,
  toEsdbExpectedRevision,
  unpackPosition,
} from './eventstoredb-event-store.js';

const EVENTSTORE_IMAGE = 'eventstore/eventstore:24.10';
const HTTP_PORT = 2113;

/** Where the contract runs: a server named by EVENTSTORE_URL, a container, or nowhere (and why). */
type Target = { kind: 'url'; url: string } | { kind: 'container' } | { kind: 'none'; reason: string };

async function findTarget(): Promise<Target> {
  const url = process.env.EVENTSTORE_URL?.trim();
  if (url) return { kind: 'url', url };
  try {
    const engine = await getContainerRuntimeClient();
    // Only an image already on the engine: an engine does not mean a registry (CI has one and reaches none).
    if (await engine.image.exists(ImageName.fromString(EVENTSTORE_IMAGE))) return { kind: 'container' };
    return { kind: 'none', reason: `EVENTSTORE_URL unset and ${EVENTSTORE_IMAGE} not on the Docker engine` };
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

  it('packs commit and prepare positions into one bigint that orders like $all and unpacks exactly', () => {
    // Three events of one append (one commit position), then the next append.
    const inAll = [
      { commit: 1_000n, prepare: 1_000n },
      { commit: 1_000n, prepare: 1_180n },
      { commit: 1_000n, prepare: 1_355n },
      { commit: 1_530n, prepare: 1_530n },
      { commit: 2n ** 63n, prepare: 2n ** 64n - 1n },
    ];
    const packed = inAll.map(packPosition);
    expect([...packed].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(packed);
    expect(new Set(packed).size).toBe(packed.length);
    expect(packed.map(unpackPosition)).toEqual(inAll);
    expect(() => packPosition({ commit: 1n, prepare: 2n ** 64n })).toThrow(RangeError);
    // A checkpoint saved before positions were packed: a bare commit position.
    expect(unpackPosition(1_530n)).toEqual({ commit: 1_530n, prepare: 1_530n });
    expect(() => unpackPosition(-1n)).toThrow(RangeError);
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
