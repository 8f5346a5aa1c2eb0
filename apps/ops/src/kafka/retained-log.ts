/**
 * What a topic no longer holds. The integration topics keep messages for the
 * broker's retention (24 h on the local broker, 7 days by default), so on an
 * installation older than that the start of each partition's log is gone: an
 * event the relay published then is rightly not on its topic any more, and
 * `verify` must not call it missing. It cannot know which messages expired,
 * only where each partition's retained log starts: its first offset (above 0:
 * something was deleted) and the timestamp of its oldest retained message.
 */
import { Partitioners, type PartitionMetadata } from 'kafkajs';

export interface TopicRetention {
  /** The topic's partition count: the relay's partitioner spreads keys over it. */
  readonly partitions: number;
  /**
   * The partitions whose retained log no longer starts at offset 0, each with
   * the timestamp (ms) of its oldest retained message, or null when it retains
   * none at all (every message it ever had expired).
   */
  readonly truncated: ReadonlyMap<number, number | null>;
}

/**
 * Clocks may disagree a little: the store's (an event's recording time) and
 * the producer's (a message's timestamp), on two hosts under PostgreSQL. An
 * event recorded this close after the oldest retained message of its
 * partition may still have been published just before it, and expired.
 */
export const CLOCK_SKEW_MS = 60_000;

/**
 * Whether the message of an event (the relay's key for it, when the store
 * recorded it) may have been deleted by retention: its partition, the one the
 * relay's partitioner (kafkajs's default, murmur2 of the key, as the Java
 * client) maps its key to, no longer starts at offset 0, and the event was
 * recorded before that partition's oldest retained message was published (a
 * message is published after its event is recorded, in store order, so any
 * message published before the oldest retained one belongs to an event
 * recorded before it too). An event recorded later was published after what
 * retention deleted: if it is not on its topic, it is missing.
 */
export function mayHaveExpired(retention: TopicRetention | undefined, key: string, recordedAt: Date): boolean {
  if (!retention || retention.truncated.size === 0) return false;
  const oldest = retention.truncated.get(partitionOfKey(key, retention.partitions));
  if (oldest === undefined) return false; // its partition still holds every message it ever had
  return oldest === null || recordedAt.getTime() <= oldest + CLOCK_SKEW_MS;
}

const partitioner = Partitioners.DefaultPartitioner();

/** The partition the relay's producer writes a message keyed `key` to, on a topic of `partitions` partitions. */
export function partitionOfKey(key: string, partitions: number): number {
  const partitionMetadata = Array.from({ length: partitions }, (_, partitionId): PartitionMetadata => ({
    partitionId,
    leader: 0,
    partitionErrorCode: 0,
    replicas: [],
    isr: [],
  }));
  return partitioner({ topic: 'ops', partitionMetadata, message: { key, value: null } });
}
