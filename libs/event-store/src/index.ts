export * from './event-store.port.js';
export type { Decider } from './decider.js';
export { SqliteEventStore, type SqliteEventStoreOptions } from './sqlite/sqlite-event-store.js';
export { EventStoreDbEventStore } from './eventstoredb/eventstoredb-event-store.js';
export {
  createEventStore,
  eventStoreKindOf,
  type CreateEventStoreOptions,
  type EventStoreKind,
} from './create-event-store.js';
export { withConcurrencyRetry, type ConcurrencyRetryOptions } from './concurrency-retry.js';
export {
  AggregateRepository,
  type AggregateRepositoryOptions,
  type EncodedEvent,
  type HandleOptions,
  type HandledCommand,
  type LoadedAggregate,
} from './aggregate-repository.js';
export {
  EventStoreSnapshots,
  SNAPSHOT_EVENT_TYPE,
  isSnapshotStream,
  snapshotStreamOf,
  type EventStoreSnapshotsOptions,
  type Snapshot,
  type SnapshotStore,
} from './snapshots.js';
export { EventStoreModule, type EventStoreModuleOptions } from './event-store.module.js';
export * from './event-codec.js';
export { canonicalJson } from './canonical-json.js';
export {
  CHAIN_HASH_METADATA,
  GENESIS_HASH,
  StreamChainVerifier,
  canonicalEvent,
  chainHashOf,
  eventDigest,
  linkHash,
  verifyStreamChain,
  withChainHashes,
  type ChainBreak,
  type ChainedFields,
} from './hash-chain.js';
export { DeadlinePassed, assertBeforeDeadline, withDeadline } from './deadline.js';
export {
  ACTING_SESSION_METADATA,
  CAUSATION_ID_METADATA,
  CORRELATION_ID_METADATA,
  requestMetadata,
  withActingSession,
} from './request-metadata.js';
