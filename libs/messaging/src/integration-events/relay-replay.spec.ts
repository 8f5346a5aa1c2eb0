import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IntegrationEvent, IntegrationTopic } from '#contracts';
import { SqliteEventStore, type RecordedEvent } from '#event-store';
import { CollectingLogger } from '#testing';
import type { IntegrationEventPublisher } from './integration-event-publisher.js';
import { IntegrationEventRelay } from './integration-event-relay.js';
import { REPLAY_COMPLETED, pendingReplays, relayReplayRequested, relayReplayStreamOf } from './relay-replay.js';

class Broker implements IntegrationEventPublisher {
  readonly published: IntegrationEvent[] = [];
  async publish(_topic: IntegrationTopic, events: readonly IntegrationEvent[]): Promise<void> {
    this.published.push(...events);
  }
  async close(): Promise<void> {}
}

const toIntegrationEvent = (event: RecordedEvent): IntegrationEvent | null =>
  event.type === 'Private'
    ? null
    : {
        eventId: event.id,
        type: event.type,
        schemaVersion: 1,
        aggregateId: event.stream,
        occurredAt: event.recordedAt.toISOString(),
        source: { stream: event.stream, revision: event.revision, position: event.position.toString() },
        data: event.data,
      };

async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('the relay replays a range of positions on request (ops relay replay)', () => {
  let dataDir: string;
  let store: SqliteEventStore;
  let broker: Broker;
  let relay: IntegrationEventRelay;

  beforeEach(() => {
    Logger.overrideLogger(new CollectingLogger());
    dataDir = mkdtempSync(join(tmpdir(), 'relay-replay-spec-'));
    store = new SqliteEventStore(join(dataDir, 'store.sqlite'), { pollIntervalMs: 10 });
    broker = new Broker();
    relay = new IntegrationEventRelay(store, broker, {
      name: 'spec',
      topic: 'auth.mfa.events',
      toIntegrationEvent,
      streamPrefixes: ['mfa-'],
      checkpointIntervalMs: 20,
    });
  });

  afterEach(async () => {
    await relay.stop();
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
    Logger.overrideLogger(new Logger());
  });

  it('publishes the range again, same ids, only public events of its streams, and records the outcome', async () => {
    const append = (stream: string, type = 'Happened') =>
      store.append(stream, [{ id: randomUUID(), type, data: {} }], 'any');
    for (const stream of ['mfa-a', 'other-x', 'mfa-b']) await append(stream);
    await append('mfa-a', 'Private');
    await append('mfa-c');
    await relay.start();
    await until(() => broker.published.length === 3, 'the first publication');
    const [, second, third] = broker.published;

    // From the second published event to the third: the private one between is passed over again.
    const request = relayReplayRequested(BigInt(second!.source.position), BigInt(third!.source.position));
    await store.append(relayReplayStreamOf('spec'), [request], 'any');
    await until(() => broker.published.length === 5, 'the replay');
    expect(broker.published.slice(3).map((event) => event.eventId)).toEqual([second!.eventId, third!.eventId]);

    await until(async () => (await store.read(relayReplayStreamOf('spec'))).length === 2, 'the outcome');
    const outcome = (await store.read(relayReplayStreamOf('spec')))[1]!;
    expect(outcome.type).toBe(REPLAY_COMPLETED);
    expect(outcome.data).toMatchObject({ requestId: request.data.requestId, published: 2 });
    expect(pendingReplays(await store.read(relayReplayStreamOf('spec')))).toEqual([]);
    // Done once: later ticks publish nothing more.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(broker.published).toHaveLength(5);
  });
});
