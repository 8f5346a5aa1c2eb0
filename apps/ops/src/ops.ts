/**
 * The ops CLI: `npm run ops -- <command>` or the `totp-mfa-ops` bin. It
 * prints only what the services publish of an event (their `.public.ts`
 * allow-lists): never a secret, a hash or a code. Most commands only read the
 * stores (DATA_DIR's SQLite files, opened read-only, or EVENTSTORE_URL); three
 * write, and say so in USAGE: `relay replay` appends its request to the
 * service's store, `reencrypt` and `rebuild-snapshots` append events and
 * snapshots (all three open the stores read-write: writable-stores.ts).
 */
import { parseArgs } from 'node:util';
import { verifyStores } from './audit/verify-command.js';
import { closeAll, openAuditSources, storeLocationOf } from './audit-sources.js';
import { exportEvents } from './export/export-events.js';
import { followCommand } from './follow/follow-command.js';
import { kafkaSettingsOf } from './kafka/ops-kafka.js';
import { relayCommand } from './relay/relay-command.js';
import { reencryptCommand } from './reencrypt/reencrypt-command.js';
import { rebuildSnapshotsCommand } from './snapshots/rebuild-snapshots.js';
import { verifyExport } from './export/verify-export.js';
import { userHistory } from './history/user-history.js';
import type { OpsIo } from './ops-io.js';

export const USAGE = `usage: ops <command> [options]

  history <user id | email> [--json]   a user's identity and MFA history (public forms only)
  verify [--json]                      replay every stream: revisions, hash chain, MFA rules; with KAFKA_BROKERS
                                       also compare the stores with the topics auth.*.events; exit 1 on a problem
  verify --export <file> [--json]      check an export's hash chain on its own
  export --since <time>                JSON Lines of every event since <time> (ISO 8601), with chain hashes
  follow [--user <id | email>] [--type <EventType>]... [--json] [--from-beginning] [--limit <n>] [--for <seconds>]
                                       a live tail of the published events: auth.*.events with KAFKA_BROKERS
                                       (as the subscriber or ops principal), else the stores; Ctrl-C ends it
  relay status [--json]                per service: the relay's checkpoint, the store's head, the lag, the lease holder
  relay replay --service <name> --from <position> [--to <position>] [--wait <seconds>]
                                       WRITES: asks the service's running relay to publish that range again
                                       (a request appended to its store; the relay publishes, consumers dedupe)
  reencrypt                            WRITES: reseal every TOTP secret under MFA_ENCRYPTION_KEY (one MfaSecretResealed
                                       per user not under it yet), with the mfa service's MFA_ENCRYPTION_KEY and
                                       MFA_PREVIOUS_ENCRYPTION_KEYS; safe to interrupt and run again; exit 1 if any failed
  rebuild-snapshots [--service <name>] WRITES: replay every snapshotted stream through its decider and save a fresh
                                       snapshot at its head (after a decider change, or damaged snapshots)

Reads DATA_DIR (the services' SQLite files, read-only) or EVENTSTORE_URL, as the services do, and Kafka with
the KAFKA_* settings (KAFKA_TOPIC_PREFIX included). Three commands write, and open the services' SQLite
files (or EVENTSTORE_URL) read-write: relay replay (only its request, appended to the service's store),
reencrypt and rebuild-snapshots.
Exit status: 0 fine, 1 a problem found (or nothing found), 2 a usage or configuration error.
`;

/** Runs one command; answers the exit status. */
export async function runOps(argv: readonly string[], io: OpsIo): Promise<number> {
  // Commands with options of their own parse them themselves (follow/, relay/).
  if (argv[0] === 'follow') return followCommand(argv.slice(1), io);
  if (argv[0] === 'relay') return relayCommand(argv.slice(1), io);
  if (argv[0] === 'reencrypt') return reencryptCommand(argv.slice(1), io);
  if (argv[0] === 'rebuild-snapshots') return rebuildSnapshotsCommand(argv.slice(1), io);
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        since: { type: 'string' },
        export: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    return usageError(io, error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || command === undefined || command === 'help') {
    io.out(USAGE);
    return command === undefined && !values.help ? 2 : 0;
  }

  if (command === 'verify' && values.export !== undefined) {
    if (rest.length > 0) return usageError(io, 'verify --export takes no other argument');
    return verifyExport(values.export, io, values.json);
  }
  let since: Date | undefined;
  switch (command) {
    case 'history':
      if (rest.length !== 1) return usageError(io, 'history needs one user id or email');
      break;
    case 'verify':
      if (rest.length > 0) return usageError(io, 'verify takes no argument');
      break;
    case 'export':
      since = values.since === undefined ? undefined : new Date(values.since);
      if (since === undefined || Number.isNaN(since.getTime()) || rest.length > 0) {
        return usageError(io, 'export needs --since <time> (ISO 8601, e.g. 2026-01-31T00:00:00Z)');
      }
      break;
    default:
      return usageError(io, `unknown command ${JSON.stringify(command)}`);
  }

  let sources;
  let kafka;
  try {
    kafka = command === 'verify' ? kafkaSettingsOf(io.env) : undefined;
    sources = openAuditSources(storeLocationOf(io.env));
  } catch (error) {
    io.err.write(`ops: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  try {
    switch (command) {
      case 'history':
        return await userHistory(sources, rest[0]!, io, values.json);
      case 'verify':
        return await verifyStores(sources, io, values.json, kafka);
      default:
        return await exportEvents(sources, since!, io);
    }
  } catch (error) {
    // The store's own message (a locked or unreadable file, a lost connection): never an event's content.
    io.err.write(`ops: ${command} failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  } finally {
    await closeAll(sources);
  }
}

function usageError(io: OpsIo, message: string): number {
  io.err.write(`ops: ${message}\n\n${USAGE}`);
  return 2;
}
