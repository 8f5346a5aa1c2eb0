import { randomUUID } from 'node:crypto';
import type { EventStore } from './event-store.port.js';

export interface Snapshot<State> {
  readonly state: State;
  /** Revision of the last event folded into `state`. */
  readonly revision: number;
}

/** Lets a repository start from a saved state instead of replaying a long stream. */
export interface SnapshotStore<State> {
  /** Save a snapshot once at least this many events were appended since the last one. */
  readonly every: number;
  load(stream: string): Promise<Snapshot<State> | null>;
  save(stream: string, state: State, revision: number): Promise<void>;
}

export const SNAPSHOT_EVENT_TYPE = 'Snapshot';

const CATEGORY_SEPARATOR = '-';
const SNAPSHOT_SUFFIX = '_snapshot';

/** `mfa-42` → `mfa_snapshot-42`: a sibling stream, so readers of `mfa-42` never see snapshots. */
export function snapshotStreamOf(stream: string): string {
  const separator = stream.indexOf(CATEGORY_SEPARATOR);
  return separator < 0
    ? `${stream}${SNAPSHOT_SUFFIX}`
    : `${stream.slice(0, separator)}${SNAPSHOT_SUFFIX}${stream.slice(separator)}`;
}

/** Snapshot streams show up in `subscribeToAll`; relays and projections skip them with this. */
export function isSnapshotStream(stream: string): boolean {
  const separator = stream.indexOf(CATEGORY_SEPARATOR);
  return (separator < 0 ? stream : stream.slice(0, separator)).endsWith(SNAPSHOT_SUFFIX);
}

export interface EventStoreSnapshotsOptions<State> {
  readonly every: number;
  /** To a JSON value; a state holding Dates, Maps or bigints needs an explicit encoding. */
  serialize(state: State): unknown;
  deserialize(json: unknown): State;
  /** Bump when the state's shape changes: snapshots of another version are ignored and the stream replayed. */
  readonly version?: number;
}

/** Snapshots kept as events in the sibling stream of each aggregate stream; the newest one wins. */
export class EventStoreSnapshots<State> implements SnapshotStore<State> {
  readonly every: number;
  private readonly version: number;

  constructor(
    private readonly store: EventStore,
    private readonly options: EventStoreSnapshotsOptions<State>,
  ) {
    if (!(Number.isInteger(options.every) && options.every >= 1)) {
      throw new RangeError(`snapshots every must be an integer >= 1; got ${options.every}`);
    }
    this.every = options.every;
    this.version = options.version ?? 1;
  }

  async load(stream: string): Promise<Snapshot<State> | null> {
    const [latest] = await this.store.read(snapshotStreamOf(stream), { direction: 'backwards', maxCount: 1 });
    if (!latest || latest.type !== SNAPSHOT_EVENT_TYPE) return null;
    const { version, revision, state } = latest.data;
    if (version !== this.version || typeof revision !== 'number') return null;
    return { state: this.options.deserialize(state), revision };
  }

  /**
   * Appends the snapshot, then drops the older ones (only the newest is ever
   * loaded), after the command that saved it has had its answer: the
   * truncation is not awaited and runs on a later turn of the event loop
   * (on SQLite it joins the next group commit). One that fails, or is overtaken
   * by a newer save's, costs nothing: the next save truncates everything
   * before itself.
   */
  async save(stream: string, state: State, revision: number): Promise<void> {
    const { snapshotStream, nextRevision } = await this.append(stream, state, revision);
    setImmediate(() => void this.store.truncateBefore(snapshotStream, nextRevision).catch(() => undefined));
  }

  /**
   * Saves a snapshot and waits until the older ones are gone: what `ops
   * rebuild-snapshots` writes for each stream, replayed through the current
   * decider (after a change of it, or to replace damaged snapshots). Safe
   * beside a running service: the newest snapshot wins, and any snapshot of a
   * revision the stream has is a valid start for a load.
   */
  async replace(stream: string, state: State, revision: number): Promise<void> {
    const { snapshotStream, nextRevision } = await this.append(stream, state, revision);
    await this.store.truncateBefore(snapshotStream, nextRevision);
  }

  private async append(stream: string, state: State, revision: number) {
    const snapshotStream = snapshotStreamOf(stream);
    const { nextRevision } = await this.store.append(
      snapshotStream,
      [
        {
          id: randomUUID(),
          type: SNAPSHOT_EVENT_TYPE,
          data: { version: this.version, revision, state: this.options.serialize(state) },
        },
      ],
      'any',
    );
    return { snapshotStream, nextRevision };
  }
}
