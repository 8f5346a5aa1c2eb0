/**
 * `ops relay replay`: publish a range of a service's events to its topic
 * again, e.g. after a consumer lost its data or an event its relay refused
 * (a contract bug, now fixed) was passed over. Ops does not publish: it
 * appends a request to the service's store (`relay_replay-<service>`, opened
 * read-write as `reencrypt` and `rebuild-snapshots` open theirs:
 * writable-stores.ts) and the service's running relay, the one
 * holding the lease, publishes the range with its own producer and records
 * the outcome, which ops waits for. So only the service's principal ever
 * writes its topic, as the ACLs say. Consumers dedupe by `eventId`.
 */
import {
  REPLAY_COMPLETED,
  relayReplayOutcome,
  relayReplayRequested,
  relayReplayStreamOf,
  type RelayReplayOutcome,
} from '#messaging';
import { PUBLIC_FORMS, type ServiceName } from '../audited-services.js';
import type { StoreLocation } from '../audit-sources.js';
import { count, type OpsIo } from '../ops-io.js';
import { openWritableSources, type WritableStore } from '../writable-stores.js';

export interface ReplayRange {
  readonly service: ServiceName;
  readonly from: bigint;
  /** Undefined: up to the head of the service's streams now. */
  readonly to?: bigint;
  /** How long to wait for the relay's outcome; 0: only record the request. */
  readonly waitSeconds: number;
  readonly json: boolean;
}

const POLL_MS = 250;

export async function relayReplay(location: StoreLocation, range: ReplayRange, io: OpsIo): Promise<number> {
  const [source] = openWritableSources(location, [range.service]);
  if (!source) throw new Error(`no ${range.service} store under DATA_DIR (${location.dataDir})`);
  const { store } = source;
  try {
    const mapping = PUBLIC_FORMS[range.service];
    let last: bigint | undefined;
    let published = 0;
    const events = store.readAll({
      ...(range.from > 0n ? { fromPosition: range.from - 1n } : {}),
      streamPrefixes: mapping.streamPrefixes,
    });
    for await (const event of events) {
      if (range.to !== undefined && event.position > range.to) break;
      last = event.position;
      if (mapping(event)) published += 1;
    }
    const to = range.to ?? last;
    if (to === undefined || published === 0) {
      io.err.write(
        `relay replay: ${range.service} has no published event at positions ${range.from}..${to ?? 'its end'}: nothing to replay\n`,
      );
      return 1;
    }
    const request = relayReplayRequested(range.from, to);
    await store.append(relayReplayStreamOf(range.service), [request], 'any');
    const what = `${range.service}: positions ${range.from}..${to} (${count(published)} published event(s)), request ${request.data.requestId}`;
    if (range.waitSeconds === 0) {
      await io.out(`relay replay: asked the ${range.service} relay to publish again ${what}\n`);
      return 0;
    }
    const outcome = await outcomeOf(store, range.service, request.data.requestId, range.waitSeconds);
    if (range.json) {
      await io.out(
        `${JSON.stringify({ service: range.service, from: range.from.toString(), to: to.toString(), requestId: request.data.requestId, expected: published, outcome: outcome ?? null }, null, 2)}\n`,
      );
    } else if (!outcome) {
      await io.out(
        `relay replay: ${what}: recorded, but no relay ran it within ${range.waitSeconds} s; ` +
          `the instance holding the ${range.service} relay lease runs it (see \`ops relay status\`)\n`,
      );
    } else if (outcome.error) {
      await io.out(`relay replay: ${what}: the relay could not run it: ${outcome.error}\n`);
    } else {
      await io.out(
        `relay replay: ${what}: the relay published ${count(outcome.published)} event(s) again at ${outcome.completedAt}\n`,
      );
    }
    return outcome && !outcome.error ? 0 : 1;
  } finally {
    await store.close();
  }
}

async function outcomeOf(
  store: WritableStore,
  service: ServiceName,
  requestId: string,
  waitSeconds: number,
): Promise<RelayReplayOutcome | undefined> {
  const deadline = Date.now() + waitSeconds * 1000;
  for (;;) {
    for (const event of await store.read(relayReplayStreamOf(service))) {
      if (event.type !== REPLAY_COMPLETED) continue;
      const outcome = relayReplayOutcome.safeParse(event.data);
      if (outcome.success && outcome.data.requestId === requestId) return outcome.data;
    }
    if (Date.now() >= deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
