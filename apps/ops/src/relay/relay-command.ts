import { parseArgs } from 'node:util';
import { SERVICES, type ServiceName } from '../audited-services.js';
import { closeAll, openAuditSources, storeLocationOf } from '../audit-sources.js';
import { kafkaSettingsOf } from '../kafka/ops-kafka.js';
import type { OpsIo } from '../ops-io.js';
import { relayReplay, type ReplayRange } from './relay-replay.js';
import { relayStatus } from './relay-status.js';

export const RELAY_USAGE = `usage: ops relay status [--json]
       ops relay replay --service <identity|mfa|policy> --from <position> [--to <position>] [--wait <seconds>] [--json]

  status reads only. replay WRITES: it appends a request to the service's store (opened read-write), which the
  service's running relay answers by publishing that range again (consumers dedupe by eventId).`;

const POSITION = /^\d{1,40}$/;

export type RelayArgs =
  { readonly command: 'status'; readonly json: boolean } | ({ readonly command: 'replay' } & ReplayRange);

/** `relay status|replay` and their options, or the usage error to print. */
export function parseRelayArgs(argv: readonly string[]): RelayArgs | string {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        service: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        wait: { type: 'string' },
      },
    });
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (rest.length > 0) return `relay ${command} takes no argument besides its options`;
  if (command === 'status') {
    const stray = (['service', 'from', 'to', 'wait'] as const).find((option) => values[option] !== undefined);
    return stray ? `relay status takes no --${stray}` : { command, json: values.json };
  }
  if (command !== 'replay') return 'relay needs status or replay';
  if (!SERVICES.includes(values.service as ServiceName)) return `relay replay needs --service ${SERVICES.join('|')}`;
  if (values.from === undefined || !POSITION.test(values.from)) {
    return 'relay replay needs --from <position> (a store position, as `relay status` and the relay logs show it)';
  }
  if (values.to !== undefined && !POSITION.test(values.to)) return '--to needs a store position';
  const from = BigInt(values.from);
  const to = values.to === undefined ? undefined : BigInt(values.to);
  if (to !== undefined && to < from) return '--to is before --from';
  const waitSeconds = values.wait === undefined ? 60 : Number(values.wait);
  if (!(Number.isFinite(waitSeconds) && waitSeconds >= 0 && waitSeconds <= 3600)) {
    return '--wait needs a number of seconds from 0 to 3600';
  }
  return {
    command,
    service: values.service as ServiceName,
    from,
    ...(to === undefined ? {} : { to }),
    waitSeconds,
    json: values.json,
  };
}

export async function relayCommand(argv: readonly string[], io: OpsIo): Promise<number> {
  const args = parseRelayArgs(argv);
  if (typeof args === 'string') {
    io.err.write(`ops: ${args}\n\n${RELAY_USAGE}\n`);
    return 2;
  }
  let location;
  let kafka;
  try {
    location = storeLocationOf(io.env);
    kafka = args.command === 'status' ? kafkaSettingsOf(io.env) : undefined;
  } catch (error) {
    io.err.write(`ops: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  try {
    if (args.command === 'replay') return await relayReplay(location, args, io);
    const sources = openAuditSources(location);
    try {
      return await relayStatus(sources, kafka, io, args.json);
    } finally {
      await closeAll(sources);
    }
  } catch (error) {
    io.err.write(`ops: relay ${args.command} failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
}
