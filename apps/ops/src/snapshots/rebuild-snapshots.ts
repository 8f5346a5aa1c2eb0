/**
 * `ops rebuild-snapshots [--service <name>]`: every aggregate snapshot written
 * afresh. Each stream of a snapshotted aggregate is replayed whole through its
 * service's codec and decider (the code of this build, so run it after a
 * change of a decider or of a state's shape), and a snapshot of its state at
 * the revision read is saved to its `<category>_snapshot-<id>` stream, the
 * older ones dropped (EventStoreSnapshots.replace). A stream gets one when its
 * repository would have saved one (at least `every` events) or it had one
 * (damaged, of another version, or stale); shorter streams are replayed whole
 * at every load anyway. Safe to run again, and beside running services:
 * snapshots are a cache, the newest wins, and a snapshot of any revision the
 * stream has is a valid start for a load.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { EventStoreSnapshots, snapshotStreamOf } from '#event-store';
import { storeLocationOf } from '../audit-sources.js';
import { SERVICES, type ServiceName } from '../audited-services.js';
import { count, type OpsIo } from '../ops-io.js';
import { progressBar } from '../progress-bar.js';
import { openWritableSources, type WritableSource } from '../writable-stores.js';
import { SNAPSHOTTED_AGGREGATES, type SnapshottedAggregate } from './snapshotted-aggregates.js';

/** How many failures the report lists one by one. */
const LISTED_FAILURES = 50;

/** One aggregate of one store: its streams, and which of them get a snapshot. */
interface Plan {
  readonly source: WritableSource;
  readonly snapshotted: SnapshottedAggregate;
  readonly streams: number;
  readonly toRebuild: readonly string[];
  rebuilt: number;
}

const REBUILD_USAGE = `usage: ops rebuild-snapshots [--service <${SERVICES.join(' | ')}>]

WRITES: replays every snapshotted stream through its decider and saves a fresh snapshot at its head, in the
services' stores (DATA_DIR's SQLite files, read-write, or EVENTSTORE_URL); every service's, or one's.
`;

/** `ops rebuild-snapshots` as typed. */
export async function rebuildSnapshotsCommand(args: readonly string[], io: OpsIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: { service: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
    }));
  } catch (error) {
    io.err.write(`ops: ${messageOf(error)}\n\n${REBUILD_USAGE}`);
    return 2;
  }
  if (values.help) {
    await io.out(REBUILD_USAGE);
    return 0;
  }
  const { service } = values;
  if (service !== undefined && !isServiceName(service)) {
    io.err.write(`ops: rebuild-snapshots: unknown service ${JSON.stringify(service)}\n\n${REBUILD_USAGE}`);
    return 2;
  }
  return rebuildSnapshots(io, service);
}

function isServiceName(name: string): name is ServiceName {
  return (SERVICES as readonly string[]).includes(name);
}

export async function rebuildSnapshots(io: OpsIo, service: ServiceName | undefined): Promise<number> {
  let sources: WritableSource[];
  try {
    sources = openWritableSources(storeLocationOf(io.env), service ? [service] : SERVICES);
  } catch (error) {
    io.err.write(`ops: rebuild-snapshots: ${messageOf(error)}\n`);
    return 2;
  }
  if (sources.length === 0) {
    const files = (service ? [service] : SERVICES).map((name) => `${name}.sqlite`).join(', ');
    io.err.write(
      `ops: rebuild-snapshots: no event store under DATA_DIR (${storeLocationOf(io.env).dataDir}): none of ${files}\n`,
    );
    return 2;
  }
  try {
    return await rebuild(sources, io);
  } catch (error) {
    io.err.write(`ops: rebuild-snapshots failed: ${messageOf(error)}\n`);
    return 2;
  } finally {
    await Promise.all(sources.map((source) => source.store.close()));
  }
}

async function rebuild(sources: readonly WritableSource[], io: OpsIo): Promise<number> {
  const started = Date.now();
  const plans: Plan[] = [];
  for (const source of sources) {
    for (const snapshotted of SNAPSHOTTED_AGGREGATES) {
      if (source.services.includes(snapshotted.aggregate.service)) plans.push(await planOf(source, snapshotted));
    }
  }
  const failures: string[] = [];
  const total = plans.reduce((sum, plan) => sum + plan.toRebuild.length, 0);
  const progress = progressBar(io, 'rebuild-snapshots', total, 'streams');
  try {
    for (const plan of plans) {
      const { aggregate, snapshots: options } = plan.snapshotted;
      const snapshots = new EventStoreSnapshots(plan.source.store, options);
      for (const stream of plan.toRebuild) {
        // A turn of the event loop per stream: on SQLite every await resolves at once, and the bar redraws on a timer.
        await nextTurn();
        try {
          let state = aggregate.replay.initialState();
          let revision = -1;
          for (const recorded of await plan.source.store.read(stream)) {
            state = aggregate.replay.evolve(state, aggregate.codec.decode(recorded));
            revision = recorded.revision;
          }
          if (revision >= 0) {
            await snapshots.replace(stream, state, revision);
            plan.rebuilt += 1;
          }
        } catch (error) {
          // An event its codec cannot read (written by a newer build?): the old snapshot stays; `verify` says more.
          failures.push(`${plan.source.label} ${stream}: ${messageOf(error)}`);
        }
        progress.increment();
      }
    }
  } finally {
    progress.stop();
  }

  const rebuilt = plans.reduce((sum, plan) => sum + plan.rebuilt, 0);
  const lines = [
    `rebuild-snapshots: ${count(rebuilt)} snapshots written in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  ];
  for (const plan of plans) {
    const { aggregate, snapshots } = plan.snapshotted;
    const short = plan.streams - plan.toRebuild.length;
    lines.push(
      `  ${plan.source.label} ${aggregate.name}: ${count(plan.rebuilt)} of ${count(plan.streams)} streams ` +
        `(${count(short)} shorter than ${snapshots.every} events, without a snapshot: replayed whole at each load)`,
    );
  }
  if (failures.length > 0) {
    lines.push(`FAILED: ${count(failures.length)} stream${failures.length === 1 ? '' : 's'}`);
    lines.push(...failures.slice(0, LISTED_FAILURES).map((failure) => `  ${failure}`));
    if (failures.length > LISTED_FAILURES) lines.push(`  ... and ${count(failures.length - LISTED_FAILURES)} more`);
  } else {
    lines.push('OK: every snapshot rebuilt');
  }
  await io.out(`${lines.join('\n')}\n`);
  return failures.length > 0 ? 1 : 0;
}

/** One read of the aggregate's streams and their snapshot streams: each stream's length, and which have a snapshot. */
async function planOf(source: WritableSource, snapshotted: SnapshottedAggregate): Promise<Plan> {
  const prefix = snapshotted.aggregate.stream;
  const snapshotPrefix = snapshotStreamOf(prefix);
  const heads = new Map<string, number>();
  const withSnapshot = new Set<string>();
  for await (const event of source.store.readAll({ streamPrefixes: [prefix, snapshotPrefix] })) {
    if (event.stream.startsWith(snapshotPrefix)) {
      withSnapshot.add(`${prefix}${event.stream.slice(snapshotPrefix.length)}`);
    } else {
      heads.set(event.stream, event.revision);
    }
  }
  const { every } = snapshotted.snapshots;
  const toRebuild = [...heads].filter(([stream, head]) => head + 1 >= every || withSnapshot.has(stream));
  return { source, snapshotted, streams: heads.size, toRebuild: toRebuild.map(([stream]) => stream), rebuilt: 0 };
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
