import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { IntegrationEvent, IntegrationTopic } from '#contracts';
import type { EventStore, RecordedEvent, Subscription } from '#event-store';
import type { IntegrationEventPublisher } from './integration-event-publisher.js';

export interface RelayOptions {
  /** Names the checkpoint stream `relay_checkpoint-<name>`. */
  readonly name: string;
  readonly topic: IntegrationTopic;
  /** The public form of a stored event, without secrets; null for events that are not published. */
  readonly toIntegrationEvent: (event: RecordedEvent) => IntegrationEvent | null;
  /** How often the checkpoint is saved while events flow. */
  readonly checkpointIntervalMs?: number;
}

const CHECKPOINT_TYPE = 'RelayCheckpointed';

/**
 * Publishes a service's events to Kafka from its event store: a catch-up
 * subscription to $all, checkpointed in the store itself. At-least-once: after
 * a crash, events since the last checkpoint are published again and consumers
 * dedupe by `eventId`. Never a second write beside the append.
 */
export class IntegrationEventRelay {
  private readonly logger = new Logger(IntegrationEventRelay.name);
  private subscription?: Subscription;
  private timer?: NodeJS.Timeout;
  private published?: bigint;
  private saved?: bigint;

  constructor(
    private readonly store: EventStore,
    private readonly publisher: IntegrationEventPublisher,
    private readonly options: RelayOptions,
  ) {}

  private get checkpointStream(): string {
    return `relay_checkpoint-${this.options.name}`;
  }

  async start(): Promise<void> {
    const [last] = await this.store.read(this.checkpointStream, { direction: 'backwards', maxCount: 1 });
    this.saved = this.published = last ? BigInt(String(last.data.position)) : undefined;
    this.subscription = this.store.subscribeToAll(
      this.published === undefined ? {} : { fromPosition: this.published },
      {
        onEvent: async (event) => {
          const integrationEvent = this.options.toIntegrationEvent(event);
          if (!integrationEvent) return;
          await this.publisher.publish(this.options.topic, [integrationEvent]);
          this.published = event.position;
        },
        onError: (error) => this.logger.error(`relay ${this.options.name} stopped: ${String(error)}`),
      },
    );
    this.timer = setInterval(() => void this.saveCheckpoint(), this.options.checkpointIntervalMs ?? 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.subscription?.close();
    await this.saveCheckpoint();
    await this.publisher.close();
  }

  private async saveCheckpoint(): Promise<void> {
    const position = this.published;
    if (position === undefined || position === this.saved) return;
    try {
      await this.store.append(
        this.checkpointStream,
        [{ id: randomUUID(), type: CHECKPOINT_TYPE, data: { position: position.toString() } }],
        'any',
      );
      this.saved = position;
    } catch (error) {
      this.logger.warn(`relay ${this.options.name}: checkpoint not saved (${String(error)}); will retry`);
    }
  }
}
