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
import {
  IntegrationEventRelay,
  RELAY_CHECKPOINTS_KEPT,
  isRelayCheckpointStream,
  relayCheckpointStreamOf,
} from './integration-event-relay.js';

/** A publisher whose broker can be away: while `down`, every publish fails. */
class Broker implements IntegrationEventPublisher {
  down = false;
  readonly published: IntegrationEvent[] = [];
  attempts = 0;

  async publish(_topic: IntegrationTopic, events: readonly IntegrationEvent[]): Promise<void> {
    this.attempts += 1;
    if (this.down) throw new Error('Connection error: connect ECONNREFUSED');
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

describe('IntegrationEventRelay', () => {
  const logs = new CollectingLogger();
  let dataDir: string;
  let store: SqliteEventStore;
  let broker: Broker;
  let relay: IntegrationEventRelay;

  const append = (stream: string, type = 'Happened') =>
    store.append(stream, [{ id: randomUUID(), type, data: {} }], 'any');
  const relayLines = () => logs.lines.filter((line) => line.includes('relay spec:'));

  beforeEach(() => {
    Logger.overrideLogger(logs);
    logs.lines.length = 0;
    dataDir = mkdtempSync(join(tmpdir(), 'relay-spec-'));
    store = new SqliteEventStore(join(dataDir, 'store.sqlite'), { pollIntervalMs: 10 });
    broker = new Broker();
    relay = new IntegrationEventRelay(store, broker, {
      name: 'spec',
      topic: 'auth.mfa.events',
      toIntegrationEvent,
      streamPrefixes: ['mfa-'],
      checkpointIntervalMs: 20,
      backoff: { initialMs: 20, maxMs: 80 },
      settleMs: 100,
    });
  });

  afterEach(async () => {
    await relay.stop();
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
    Logger.overrideLogger(new Logger());
  });

  it('publishes only its own streams, and has no lag once caught up', async () => {
    await append('mfa-1');
    await append('identity-1');
    await append('mfa-2', 'Private');
    await append('mfa-2');
    await relay.start();
    await expect.poll(() => broker.published.map((event) => event.aggregateId)).toEqual(['mfa-1', 'mfa-2']);
    await expect.poll(async () => (await relay.health()).lag).toBe(0);
    expect(await relay.health()).toEqual({ state: 'running', since: expect.any(String), lag: 0 });
  });

  it('retries while publishing fails, counts what waits, and publishes everything in order once it can', async () => {
    await relay.start();
    await append('mfa-1');
    await expect.poll(() => broker.published.length).toBe(1);

    broker.down = true;
    for (let i = 0; i < 5; i += 1) await append(`mfa-${i % 2}`);
    await expect.poll(async () => (await relay.health()).state).toBe('retrying');
    await expect.poll(() => broker.attempts).toBeGreaterThan(6);
    expect(await relay.health()).toEqual({
      state: 'retrying',
      since: expect.any(String),
      lag: 5,
      failures: expect.any(Number),
      lastError: 'Connection error: connect ECONNREFUSED',
    });

    broker.down = false;
    await expect.poll(() => broker.published.length).toBe(6);
    await expect.poll(async () => (await relay.health()).state).toBe('running');
    expect(broker.published.map((event) => event.source.position)).toEqual(
      [...broker.published.map((event) => event.source.position)].sort((a, b) => Number(a) - Number(b)),
    );
    expect(new Set(broker.published.map((event) => event.eventId)).size).toBe(6);
    // Once when it started retrying, once when it ran again: not once per failed attempt.
    expect(relayLines().filter((line) => line.includes('cannot publish'))).toHaveLength(1);
    expect(relayLines().filter((line) => line.includes('again after'))).toHaveLength(1);
    expect(await relay.health()).toMatchObject({ state: 'running', lag: 0 });
  });

  it('resumes from its checkpoint after a restart, without publishing again what it had published', async () => {
    await append('mfa-1');
    await relay.start();
    await expect.poll(() => broker.published.length).toBe(1);
    await relay.stop();

    await append('mfa-1');
    const next = new Broker();
    relay = new IntegrationEventRelay(store, next, { name: 'spec', topic: 'auth.mfa.events', toIntegrationEvent });
    await relay.start();
    await expect.poll(() => next.published.length).toBe(1);
    expect(next.published[0]?.source.revision).toBe(1);
  });

  it('keeps its checkpoint stream bounded while many events flow, and resumes from the last checkpoint', async () => {
    const checkpoints = relayCheckpointStreamOf('spec');
    await relay.start();
    let appended = 0;
    let longest = 0;
    // Events keep flowing for a while, so the relay saves a checkpoint every 20 ms, dozens in all.
    const flowUntil = Date.now() + 1_500;
    while (Date.now() < flowUntil) {
      for (let i = 0; i < 5; i += 1) await append(`mfa-${appended++ % 7}`);
      longest = Math.max(longest, (await store.read(checkpoints)).length);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await expect.poll(() => broker.published.length).toBe(appended);
    await relay.stop();

    const kept = await store.read(checkpoints);
    expect(kept.at(-1)!.revision).toBeGreaterThanOrEqual(3 * RELAY_CHECKPOINTS_KEPT); // many saved...
    expect(kept.length).toBeLessThanOrEqual(RELAY_CHECKPOINTS_KEPT); // ...few kept, the last ones
    // At most one more for a moment: the truncation commits with the appends of the next turn of the event loop.
    expect(longest).toBeLessThanOrEqual(RELAY_CHECKPOINTS_KEPT + 1);
    expect(kept[0]!.revision).toBeGreaterThan(0);
    expect(kept.map((event) => event.revision)).toEqual(kept.map((_, i) => kept[0]!.revision + i));
    const lastPublished = broker.published.at(-1)!.source.position;
    expect(kept.at(-1)!.data).toEqual({ position: lastPublished });

    await append('mfa-1');
    const next = new Broker();
    relay = new IntegrationEventRelay(store, next, { name: 'spec', topic: 'auth.mfa.events', toIntegrationEvent });
    await relay.start();
    await expect.poll(() => next.published.length).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(next.published).toHaveLength(1);
    expect(BigInt(next.published[0]!.source.position)).toBeGreaterThan(BigInt(lastPublished));
  });

  it('names its checkpoint stream so that it is told from every other', () => {
    expect(relayCheckpointStreamOf('mfa')).toBe('relay_checkpoint-mfa');
    expect(isRelayCheckpointStream('relay_checkpoint-mfa')).toBe(true);
    expect(isRelayCheckpointStream('mfa-relay_checkpoint-1')).toBe(false);
    expect(isRelayCheckpointStream('relay-1')).toBe(false);
  });

  it('stops while retrying without waiting for its backoff', async () => {
    broker.down = true;
    await append('mfa-1');
    relay = new IntegrationEventRelay(store, broker, {
      name: 'spec',
      topic: 'auth.mfa.events',
      toIntegrationEvent,
      backoff: { initialMs: 60_000, maxMs: 60_000 },
    });
    await relay.start();
    await expect.poll(async () => (await relay.health()).state).toBe('retrying');
    const stopping = Date.now();
    await relay.stop();
    expect(Date.now() - stopping).toBeLessThan(1_000);
  });
});
