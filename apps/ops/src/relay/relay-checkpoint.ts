import { relayCheckpointStreamOf } from '#messaging';
import type { ServiceName } from '../audited-services.js';
import type { AuditedStore } from '../audit-sources.js';

/** A relay's last saved checkpoint: the last event of its service it handled (published or passed over), and when. */
export interface RelayCheckpoint {
  readonly position: bigint;
  readonly savedAt: Date;
}

/** Read as the relay reads it at a lease takeover: the last event of `relay_checkpoint-<service>`. */
export async function relayCheckpointOf(
  store: Pick<AuditedStore, 'read'>,
  service: ServiceName,
): Promise<RelayCheckpoint | undefined> {
  const [last] = await store.read(relayCheckpointStreamOf(service), { direction: 'backwards', maxCount: 1 });
  const position = last?.data['position'];
  if (!last || typeof position !== 'string' || !/^\d{1,40}$/.test(position)) return undefined;
  return { position: BigInt(position), savedAt: last.recordedAt };
}
