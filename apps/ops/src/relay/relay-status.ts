import type { KafkaConnectionConfig } from '#config';
import { pendingReplays, relayReplayStreamOf } from '#messaging';
import { PUBLIC_FORMS, SERVICES, type ServiceName } from '../audited-services.js';
import type { AuditSource } from '../audit-sources.js';
import { opsKafka, opsKafkaConnection } from '../kafka/ops-kafka.js';
import { count, renderTable, type OpsIo } from '../ops-io.js';
import { leaseHoldersOf, type LeaseHolder } from './lease-holder.js';
import { relayCheckpointOf } from './relay-checkpoint.js';

export interface RelayStatus {
  readonly service: ServiceName;
  /** The relay's last saved checkpoint: the last event it handled; null: it never saved one. */
  readonly checkpoint: { readonly position: string; readonly savedAt: string } | null;
  /** The last event of the service's streams (those its relay reads); null: none. */
  readonly head: string | null;
  /** Events of the service's streams after the checkpoint: what the relay has still to handle. */
  readonly lag: number;
  /** Replays asked for (`relay replay`) that no relay has run yet. */
  readonly pendingReplays: number;
  readonly lease: LeaseHolder | { readonly known: true; readonly inProcess: true };
}

/**
 * `ops relay status`: per service, from its store the relay's checkpoint, the
 * head of its streams and the lag between them (counted as the relay counts
 * it, every event of its streams), and from the broker who holds its lease.
 */
export async function relayStatus(
  sources: readonly AuditSource[],
  kafka: KafkaConnectionConfig | undefined,
  io: OpsIo,
  json: boolean,
): Promise<number> {
  const services = SERVICES.filter((service) => sources.some((source) => source.services.includes(service)));
  const statuses: RelayStatus[] = [];
  const connection = kafka ? opsKafkaConnection(kafka, io) : undefined;
  const leases = connection
    ? await leaseHoldersOf(opsKafka(connection, io, 'relay-status'), connection, services)
    : undefined;
  for (const service of services) {
    const { store } = sources.find((source) => source.services.includes(service))!;
    const checkpoint = await relayCheckpointOf(store, service);
    let lag = 0;
    let head = checkpoint?.position;
    const after = checkpoint === undefined ? {} : { fromPosition: checkpoint.position };
    for await (const event of store.readAll({ ...after, streamPrefixes: PUBLIC_FORMS[service].streamPrefixes })) {
      lag += 1;
      head = event.position;
    }
    statuses.push({
      service,
      checkpoint: checkpoint
        ? { position: checkpoint.position.toString(), savedAt: checkpoint.savedAt.toISOString() }
        : null,
      head: head === undefined ? null : head.toString(),
      lag,
      pendingReplays: pendingReplays(await store.read(relayReplayStreamOf(service))).length,
      lease: leases?.get(service) ?? { known: true, inProcess: true },
    });
  }

  if (json) {
    await io.out(`${JSON.stringify({ relays: statuses }, null, 2)}\n`);
    return 0;
  }
  await io.out(
    renderTable(
      ['service', 'checkpoint', 'saved at', 'head', 'lag', 'replays pending', 'lease held by'],
      statuses.map((status) => [
        status.service,
        status.checkpoint?.position ?? 'none',
        status.checkpoint?.savedAt ?? '-',
        status.head ?? 'none',
        count(status.lag),
        count(status.pendingReplays),
        leaseText(status.lease),
      ]),
    ),
  );
  return 0;
}

function leaseText(lease: RelayStatus['lease']): string {
  if ('inProcess' in lease) return 'no Kafka settings: in the one-process default, that process publishes';
  if (!lease.known) return `unknown: ${lease.reason}`;
  if (!lease.holder) return `nobody (${lease.members} member(s), group ${lease.groupState})`;
  return `${lease.holder.clientId} on ${lease.holder.host} (${lease.members} member(s))`;
}
