import {
  ANY,
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  START,
  StreamNotFoundError,
  WrongExpectedVersionError,
  excludeSystemEvents,
  jsonEvent,
  type AllStreamResolvedEvent,
  type AppendExpectedRevision,
  type CurrentRevision,
  type RecordedEvent as EsdbRecordedEvent,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { assertValidExpectedRevision } from '../expected-revision.js';
import { reportSubscriptionError } from '../subscription-error.js';
import {
  WrongExpectedVersion,
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type ReadOptions,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
  type SubscriptionHandlers,
} from '../event-store.port.js';

/**
 * EventStoreDB (and its successor KurrentDB, same client surface) behind the port.
 * The only file that names the client package. A position is the event's commit
 * position in `$all`: unique per event, and a catch-up subscription from it
 * starts after that event.
 */
export class EventStoreDbEventStore implements EventStore {
  private readonly client: EventStoreDBClient;
  private readonly subscriptions = new Set<Subscription>();
  private closed = false;

  /** @param connectionString `esdb://host:2113?tls=false`; never echoed in errors, it may hold a password. */
  constructor(connectionString: string) {
    try {
      this.client = EventStoreDBClient.connectionString(connectionString);
    } catch (error) {
      throw new Error(
        `EVENTSTORE_URL is not a valid EventStoreDB connection string (expected esdb://host:port?tls=false): ${
          error instanceof Error ? error.message : String(error)
        }`,
      );
    }
  }

  async append(stream: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    assertValidExpectedRevision(expected);
    try {
      const result = await this.client.appendToStream(
        stream,
        events.map((event) =>
          jsonEvent({ id: event.id, type: event.type, data: event.data, metadata: event.metadata ?? {} }),
        ),
        { expectedRevision: toEsdbExpectedRevision(expected) },
      );
      return { nextRevision: Number(result.nextExpectedRevision) };
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) {
        throw new WrongExpectedVersion(stream, expected, fromEsdbCurrentRevision(error.actualVersion));
      }
      throw error;
    }
  }

  async read(stream: string, options: ReadOptions = {}): Promise<RecordedEvent[]> {
    if (options.maxCount === 0) return [];
    const backwards = options.direction === 'backwards';
    const events: RecordedEvent[] = [];
    try {
      const reading = this.client.readStream(stream, {
        direction: backwards ? BACKWARDS : FORWARDS,
        fromRevision: options.fromRevision === undefined ? (backwards ? END : START) : BigInt(options.fromRevision),
        ...(options.maxCount === undefined ? {} : { maxCount: options.maxCount }),
      });
      for await (const resolved of reading) {
        const event = recordedEventOf(resolved);
        if (event) events.push(event);
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
    return events;
  }

  subscribeToAll(options: SubscribeOptions, handlers: SubscriptionHandlers): Subscription {
    const esdbSubscription = this.client.subscribeToAll({
      fromPosition:
        options.fromPosition === undefined ? START : { commit: options.fromPosition, prepare: options.fromPosition },
      filter: excludeSystemEvents(),
    });
    let closed = false;
    const delivering = (async () => {
      try {
        for await (const resolved of esdbSubscription) {
          if (closed) break;
          const event = recordedEventOf(resolved);
          if (event) await handlers.onEvent(event);
        }
        if (!closed) reportSubscriptionError(handlers, new Error('EventStoreDB ended the subscription'));
      } catch (error) {
        if (!closed) reportSubscriptionError(handlers, error);
      } finally {
        closed = true;
        await esdbSubscription.unsubscribe().catch(() => undefined);
      }
    })();
    const subscription: Subscription = {
      close: async () => {
        closed = true;
        await esdbSubscription.unsubscribe().catch(() => undefined);
        // Ends the iteration even if the cancelled call never signals its end.
        esdbSubscription.destroy();
        await delivering;
        this.subscriptions.delete(subscription);
      },
    };
    this.subscriptions.add(subscription);
    return subscription;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
    await this.client.dispose();
  }
}

export function toEsdbExpectedRevision(expected: ExpectedRevision): AppendExpectedRevision {
  switch (expected) {
    case 'any':
      return ANY;
    case 'no_stream':
      return NO_STREAM;
    default:
      return BigInt(expected);
  }
}

export function fromEsdbCurrentRevision(current: CurrentRevision): number | 'no_stream' {
  return current === NO_STREAM ? 'no_stream' : Number(current);
}

function recordedEventOf(resolved: ResolvedEvent | AllStreamResolvedEvent): RecordedEvent | undefined {
  const event: EsdbRecordedEvent | undefined = resolved.event;
  if (!event) return undefined;
  return {
    id: event.id,
    stream: event.streamId,
    revision: Number(event.revision),
    // Servers before 22.6 leave the $all position out of stream reads.
    position: event.position?.commit ?? resolved.commitPosition ?? -1n,
    type: event.type,
    data: asJsonObject(event.data),
    metadata: asJsonObject(event.metadata),
    recordedAt: event.created,
  };
}

function asJsonObject(value: unknown): Record<string, unknown> {
  if (value instanceof Uint8Array) {
    if (value.byteLength === 0) return {};
    return asJsonObject(JSON.parse(Buffer.from(value).toString('utf8')) as unknown);
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
