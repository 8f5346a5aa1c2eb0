import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTEGRATION_TOPICS, type IntegrationEvent, type RelayHealth } from '#contracts';
import { SqliteEventStore, type RecordedEvent } from '#event-store';
import { ensureTopics, IntegrationEventRelay, KafkaIntegrationEventPublisher, serviceTopics } from '#messaging';
import {
  CollectingLogger,
  kafkaConnectionFor,
  startOwnKafkaBroker,
  startSubscriber,
  type OwnKafkaBroker,
  type Subscriber,
} from '#testing';
import { FAULT_BROKER } from './fault-broker.js';

const run = randomUUID().slice(0, 8);
/** The relay's own streams, as `mfa-` is the mfa service's. */
const OWN_PREFIX = `mfa-fault${run}-`;
/** Another service's streams on the same store: the mapping would publish them, the filter must keep them away. */
const OTHER_STREAM = `other-fault${run}`;
const STREAMS = 4;

/**
 * Stop the broker while events are appended, start it again: every event
 * reaches its topic once the broker is back, in order per stream, and the
 * relay says what it is doing (health, and one log line per change of state).
 */
describe('the relay through a broker outage', () => {
  const logs = new CollectingLogger();
  let broker: OwnKafkaBroker;
  let dataDir: string;
  let store: SqliteEventStore;
  let relay: IntegrationEventRelay;
  let subscriber: Subscriber;
  const received: IntegrationEvent[] = [];
  const mapped = new Set<string>();

  const toIntegrationEvent = (event: RecordedEvent): IntegrationEvent | null => {
    mapped.add(event.stream);
    if (!event.stream.startsWith(OWN_PREFIX) && event.stream !== OTHER_STREAM) return null;
    return {
      eventId: event.id,
      type: event.type,
      schemaVersion: 1,
      aggregateId: event.stream,
      userId: event.stream,
      occurredAt: event.recordedAt.toISOString(),
      source: { stream: event.stream, revision: event.revision, position: event.position.toString() },
      data: event.data,
    };
  };

  beforeAll(async () => {
    Logger.overrideLogger(logs);
    broker = await startOwnKafkaBroker(FAULT_BROKER);
    await ensureTopics(kafkaConnectionFor(broker.clients.mfa), 'mfa', serviceTopics('mfa'));
    dataDir = mkdtempSync(join(tmpdir(), 'relay-fault-'));
    store = new SqliteEventStore(join(dataDir, 'mfa.sqlite'));
    subscriber = await startSubscriber(broker.clients.subscriber, {
      groupId: `subscriber-fault-relay-${run}`,
      topics: [INTEGRATION_TOPICS.mfa],
      onMessage: (message) => {
        const event = JSON.parse(message.value?.toString() ?? '{}') as IntegrationEvent;
        if (event.aggregateId?.includes(`fault${run}`)) {
          expect(message.key?.toString()).toBe(event.aggregateId);
          received.push(event);
        }
      },
    });
    relay = new IntegrationEventRelay(
      store,
      new KafkaIntegrationEventPublisher('mfa', kafkaConnectionFor(broker.clients.mfa)),
      {
        name: `fault-${run}`,
        topic: INTEGRATION_TOPICS.mfa,
        toIntegrationEvent,
        streamPrefixes: [OWN_PREFIX],
        checkpointIntervalMs: 200,
      },
    );
    await relay.start();
  }, 120_000);

  afterAll(async () => {
    await relay?.stop();
    await subscriber?.close();
    await store?.close();
    await broker?.release();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    Logger.overrideLogger(new Logger());
  }, 60_000);

  it('publishes every event once the broker is back, in order per stream, and reports retrying meanwhile', async () => {
    const appended = new Map<string, number>();
    let appending = true;
    const appender = (async () => {
      for (let n = 0; appending; n += 1) {
        const stream = `${OWN_PREFIX}${n % STREAMS}`;
        const revision = appended.get(stream) ?? 0;
        await store.append(
          stream,
          [{ id: randomUUID(), type: 'MfaChallengeFailed', data: { n } }],
          revision === 0 ? 'no_stream' : revision - 1,
        );
        appended.set(stream, revision + 1);
        if (n % 10 === 0) {
          await store.append(OTHER_STREAM, [{ id: randomUUID(), type: 'Elsewhere', data: { n } }], 'any');
        }
        await sleep(40);
      }
    })();
    appender.catch(() => undefined); // awaited below; a failure must not go unhandled meanwhile
    const total = () => [...appended.values()].reduce((sum, count) => sum + count, 0);

    await expect.poll(() => received.length, { timeout: 20_000 }).toBeGreaterThan(5);
    await broker.stop();
    const stoppedAt = Date.now();

    let duringOutage: RelayHealth | undefined;
    await expect
      .poll(
        async () => {
          duringOutage = await relay.health();
          return duringOutage.state === 'retrying' && duringOutage.lag > 0;
        },
        { timeout: 30_000, interval: 250 },
      )
      .toBe(true);
    // More than one failed attempt (each logged or not), and more events waiting meanwhile.
    await expect
      .poll(
        async () => {
          duringOutage = await relay.health();
          return duringOutage.failures ?? 0;
        },
        { timeout: 30_000, interval: 250 },
      )
      .toBeGreaterThan(1);
    expect(duringOutage).toMatchObject({ state: 'retrying', lastError: expect.stringMatching(/\S/) });

    await broker.start();
    const backAt = Date.now();
    await sleep(1_000);
    appending = false;
    await appender;

    const unique = () => new Set(received.map((event) => event.eventId)).size;
    await expect.poll(unique, { timeout: 60_000, interval: 250 }).toBe(total());
    const caughtUpMs = Date.now() - backAt;
    await sleep(1_000); // room for strays and duplicates to show up

    // In order per stream: each revision first arrives after the one before it. A publish whose
    // acknowledgement was lost may be sent again (at-least-once), but only ever the latest one.
    for (const [stream, count] of appended) {
      const revisions = received.filter((event) => event.aggregateId === stream).map((event) => event.source.revision);
      expect([...new Set(revisions)]).toEqual(Array.from({ length: count }, (_, revision) => revision));
      revisions.forEach((revision, i) => expect(revision).toBeGreaterThanOrEqual(revisions[i - 1] ?? 0));
    }
    // The store filtered the relay's subscription: it never even saw the other stream.
    expect(received.some((event) => event.aggregateId === OTHER_STREAM)).toBe(false);
    expect([...mapped].every((stream) => stream.startsWith(OWN_PREFIX))).toBe(true);

    await expect.poll(async () => (await relay.health()).state, { timeout: 20_000 }).toBe('running');
    expect(await relay.health()).toMatchObject({ state: 'running', lag: 0 });
    // One line when it started retrying, one when it ran again: not one per attempt.
    const relayLines = logs.lines.filter((line) => line.includes(`relay fault-${run}:`));
    expect(relayLines.filter((line) => line.includes('cannot publish'))).toHaveLength(1);
    expect(relayLines.filter((line) => line.includes('again after'))).toHaveLength(1);

    console.info(
      `relay outage: ${total()} events (${received.length - unique()} sent twice), broker away ` +
        `${((backAt - stoppedAt) / 1000).toFixed(1)} s, all published ${(caughtUpMs / 1000).toFixed(1)} s after it was back; ` +
        `subscriber consumers replaced: ${subscriber.restarts()}`,
    );
  }, 180_000);
});
