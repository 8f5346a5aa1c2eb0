import { Logger } from '@nestjs/common';
import { Kafka, type Consumer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { integrationEventEnvelope, type IntegrationEvent, type IntegrationTopic } from '#contracts';
import { addReadinessCheck, inRequestContextOf } from '#observability';
import { backoffDelay, CancellableSleep, type Backoff } from '../backoff.js';
import { processBus, type InProcessBus } from '../in-process/in-process-bus.js';
import { ConsumerRecovery } from '../kafka/consumer-recovery.js';
import { prefixed, type KafkaConnection } from '../kafka/kafka-connection.js';
import { kafkaClientConfig } from '../kafka/kafka-options.js';

/** What a handler may do besides handling: on Kafka, tell the group it is alive during a long wait. */
export interface IntegrationEventContext {
  /** Keeps this consumer in its group while a handler waits (kafkajs sends at most one per heartbeat interval). */
  heartbeat(): Promise<void>;
}

export type IntegrationEventHandler = (
  event: IntegrationEvent,
  context: IntegrationEventContext,
) => Promise<void> | void;

const IN_PROCESS_CONTEXT: IntegrationEventContext = { heartbeat: async () => undefined };

export interface IntegrationEventSubscriptionOptions {
  /**
   * Names the subscriber and its Kafka consumer group (`<prefix><name>`, or
   * `<prefix><name>-<random>` for `lookbackMs`): a name the principal's ACLs
   * allow (`gateway-...`, `identity-...`).
   */
  readonly name: string;
  readonly topics: readonly IntegrationTopic[];
  /** Unset: the integration topics of the process bus (the in-process transport). */
  readonly kafka?: KafkaConnection | undefined;
  /**
   * Where it reads from on Kafka.
   * - `committed`: one group for every instance of the subscriber, each event
   *   handled by one of them at least once: offsets are committed only after
   *   `handle` resolved (a failure, or a crash, has it handled again), and a
   *   group that never ran starts at the oldest retained event. For
   *   reactions that must not miss an event.
   * - `{ lookbackMs }`: a group of this instance alone that starts at the
   *   events of the last `lookbackMs`, so every instance sees every event from
   *   then on: for a view of recent events kept in memory.
   * In process, both are the process bus's live events (with the relay's
   * at-least-once: a `handle` that fails fails the publish, which the relay
   * retries).
   */
  readonly from: 'committed' | { readonly lookbackMs: number };
  /** Awaited before the next event of the same topic partition; must be idempotent (events may come again). */
  readonly handle: IntegrationEventHandler;
  readonly bus?: InProcessBus;
  readonly backoff?: Backoff;
  /**
   * On Kafka, how many partitions are handled at once (kafkajs's
   * `partitionsConsumedConcurrently`); the events of one partition, and so of
   * one key, always one after the other. Default 1.
   */
  readonly partitionsConsumedConcurrently?: number;
}

const START_BACKOFF: Backoff = { initialMs: 250, maxMs: 5_000 };

/**
 * A subscriber of `auth.*.events`: the gateway's revocation view and
 * identity's reaction to credential changes. Starting never fails on Kafka: a
 * topic that does not exist yet (its service has not started) or a broker
 * that is away is tried again with backoff until the subscription has joined
 * its group; after that `ConsumerRecovery` replaces a consumer that crashes
 * for good.
 */
export class IntegrationEventSubscription {
  private readonly logger: Logger;
  private readonly sleep = new CancellableSleep();
  private readonly inProcessHandler = async (data: unknown) => this.deliver(data);
  private closed = false;
  private consumer?: Consumer;
  private recovery?: ConsumerRecovery;
  private running?: Promise<void>;
  /** Joined its group (on Kafka) and handled the backlog it started with: it counts as ready. */
  private consuming = false;
  private isCaughtUp = false;
  private removeReadinessCheck?: () => void;
  private markCaughtUp!: () => void;
  /** Resolves once the events there were when it started have been handled (at once in process). */
  readonly caughtUp: Promise<void> = new Promise((resolve) => (this.markCaughtUp = resolve));
  /** Kafka, lookback: `topic:partition` → the last offset there was at the start, until it is handled. */
  private readonly backlog = new Map<string, bigint>();

  constructor(private readonly options: IntegrationEventSubscriptionOptions) {
    this.logger = new Logger(`Subscription ${options.name}`);
  }

  start(): void {
    const { kafka, topics } = this.options;
    void this.caughtUp.then(() => (this.isCaughtUp = true));
    this.removeReadinessCheck = addReadinessCheck(`subscription ${this.options.name}`, async () =>
      this.consuming && this.isCaughtUp
        ? { status: 'up', topics: [...topics] }
        : { status: 'down', error: `not consuming ${topics.join(', ')} yet` },
    );
    if (!kafka) {
      for (const topic of topics) (this.options.bus ?? processBus).subscribe(topic, this.inProcessHandler);
      this.consuming = true;
      this.markCaughtUp();
      return;
    }
    this.running = this.startOnKafka(kafka);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.consuming = false;
    this.removeReadinessCheck?.();
    this.sleep.cancel();
    if (!this.options.kafka) {
      for (const topic of this.options.topics) {
        (this.options.bus ?? processBus).unsubscribe(topic, this.inProcessHandler);
      }
      return;
    }
    await this.recovery?.close();
    await this.running;
    await this.consumer?.disconnect().catch(() => undefined);
  }

  private async deliver(raw: unknown, context: IntegrationEventContext = IN_PROCESS_CONTEXT): Promise<void> {
    // The envelope (a consumer trusts no bytes); each handler reads the data of the types it knows by their contracts.
    const parsed = integrationEventEnvelope.safeParse(raw);
    if (!parsed.success) {
      // Paths only: what arrived may hold anything.
      const problems = parsed.error.issues.map((issue) => issue.path.join('.') || 'event').join(', ');
      this.logger.warn(`skipped a message that is no integration event (${problems})`);
      return;
    }
    // A reaction is caused by the event, and part of whatever request the event goes back to.
    const event = parsed.data as IntegrationEvent;
    await inRequestContextOf({ correlationId: event.correlationId ?? event.eventId, causationId: event.eventId }, () =>
      this.handleLogged(event, context),
    );
  }

  /** One line per event handled (type, outcome, duration; never its data), as `answer` logs each request. */
  private async handleLogged(event: IntegrationEvent, context: IntegrationEventContext): Promise<void> {
    const startedAt = performance.now();
    const line = (outcome: string) => ({
      msg: `${event.type} ${outcome}`,
      event: 'integration_event_handled',
      subscription: this.options.name,
      type: event.type,
      eventId: event.eventId,
      outcome,
      durationMs: Math.round((performance.now() - startedAt) * 10) / 10,
    });
    try {
      await this.options.handle(event, context);
      this.logger.log(line('ok'));
    } catch (error) {
      // Handled again (Kafka redelivers, the relay republishes): a warning, the failure's kind only.
      this.logger.warn(line(error instanceof Error ? error.name : 'error'));
      throw error;
    }
  }

  private async startOnKafka(kafka: KafkaConnection): Promise<void> {
    const { name, from } = this.options;
    const client = new Kafka(kafkaClientConfig(`${name}-subscriber`, kafka));
    const groupId = prefixed(kafka, from === 'committed' ? name : `${name}-${randomUUID()}`);
    const topics = this.options.topics.map((topic) => prefixed(kafka, topic));
    const create = () => {
      this.consumer = client.consumer({
        groupId,
        sessionTimeout: 10_000,
        heartbeatInterval: 1_000,
        maxWaitTimeInMs: 500,
        allowAutoTopicCreation: false,
      });
      return this.consumer;
    };
    const run = async (consumer: Consumer) => {
      this.recovery?.watch(consumer);
      // Readiness follows the consumer: down from a crash or a stop until it (or its replacement) joins again.
      consumer.on(consumer.events.GROUP_JOIN, () => (this.consuming = !this.closed));
      for (const left of [consumer.events.CRASH, consumer.events.STOP])
        consumer.on(left, () => (this.consuming = false));
      await consumer.connect();
      // A new `committed` group starts at the oldest retained event; a lookback group at the offsets set below.
      await consumer.subscribe({ topics, fromBeginning: from === 'committed' });
      await consumer.run({
        partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
        eachMessage: async ({ topic, partition, message, heartbeat }) => {
          let event: unknown;
          try {
            event = JSON.parse(message.value?.toString() ?? 'null');
          } catch {
            event = null;
          }
          await this.deliver(event, { heartbeat });
          this.handled(topic, partition, BigInt(message.offset));
        },
      });
    };
    let lastFailure = '';
    for (let attempt = 1; !this.closed; attempt += 1) {
      try {
        if (from !== 'committed') await this.startAt(client, groupId, topics, Date.now() - from.lookbackMs);
        else this.markCaughtUp();
        const consumer = create();
        const joined = joinedOrCrashed(consumer);
        // Awaited below unless `run` fails first; a crash of that consumer afterwards is no one's news.
        joined.catch(() => undefined);
        await run(consumer);
        await joined;
        this.recovery = new ConsumerRecovery({ label: `${groupId} (${topics.join(', ')})`, create, run });
        this.recovery.watch(consumer);
        this.consuming = true;
        if (attempt > 1) this.logger.log(`consuming ${topics.join(', ')} (attempt ${attempt})`);
        return;
      } catch (error) {
        await this.consumer?.disconnect().catch(() => undefined);
        const failure = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        if (failure !== lastFailure) {
          this.logger.warn(`not consuming ${topics.join(', ')} yet (${failure}); trying again`);
        }
        lastFailure = failure;
        await this.sleep.for(backoffDelay(this.options.backoff ?? START_BACKOFF, attempt));
      }
    }
  }

  /**
   * A lookback group's starting offsets: the first event at or after
   * `timestamp` in every partition, committed for the new group before it
   * joins (so a replacement consumer resumes from its own commits). Also
   * notes how far each partition reaches now: `caughtUp` waits for that.
   */
  private async startAt(client: Kafka, groupId: string, topics: readonly string[], timestamp: number): Promise<void> {
    const admin = client.admin();
    await admin.connect();
    try {
      this.backlog.clear();
      for (const topic of topics) {
        const starts = await admin.fetchTopicOffsetsByTimestamp(topic, timestamp);
        const ends = await admin.fetchTopicOffsets(topic);
        await admin.setOffsets({ groupId, topic, partitions: starts });
        for (const { partition, offset } of starts) {
          const end = BigInt(ends.find((candidate) => candidate.partition === partition)?.high ?? offset);
          if (BigInt(offset) < end) this.backlog.set(`${topic}:${partition}`, end - 1n);
        }
      }
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    if (this.backlog.size === 0) this.markCaughtUp();
  }

  private handled(topic: string, partition: number, offset: bigint): void {
    const key = `${topic}:${partition}`;
    const last = this.backlog.get(key);
    if (last === undefined || offset < last) return;
    this.backlog.delete(key);
    if (this.backlog.size === 0) this.markCaughtUp();
  }
}

/** Resolves once the consumer has joined its group; rejects if it crashes for good first. */
function joinedOrCrashed(consumer: Consumer): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const removers = [
      consumer.on(consumer.events.GROUP_JOIN, () => {
        for (const remove of removers) remove();
        resolve();
      }),
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        if (payload.restart) return;
        for (const remove of removers) remove();
        reject(payload.error);
      }),
    ];
  });
}
