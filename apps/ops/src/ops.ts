/**
 * The ops CLI: `npm run ops -- <command>` or the `totp-mfa-ops` bin. Every
 * command here only reads the stores (DATA_DIR's SQLite files, opened
 * read-only, or EVENTSTORE_URL), and prints only what the services publish of
 * an event (their `.public.ts` allow-lists): never a secret, a hash or a code.
 */
import { parseArgs } from 'node:util';
import { verifyStores } from './audit/verify-command.js';
import { closeAll, openAuditSources, storeLocationOf } from './audit-sources.js';
import { exportEvents } from './export/export-events.js';
import { verifyExport } from './export/verify-export.js';
import { userHistory } from './history/user-history.js';
import type { OpsIo } from './ops-io.js';

export const USAGE = `usage: ops <command> [options]

  history <user id | email> [--json]   a user's identity and MFA history (public forms only)
  verify [--json]                      replay every stream: revisions, hash chain, MFA rules; exit 1 on a problem
  verify --export <file> [--json]      check an export's hash chain on its own
  export --since <time>                JSON Lines of every event since <time> (ISO 8601), with chain hashes

Reads DATA_DIR (the services' SQLite files, read-only) or EVENTSTORE_URL, as the services do.
Exit status: 0 fine, 1 a problem found (or nothing found), 2 a usage or configuration error.
`;

/** Runs one command; answers the exit status. */
export async function runOps(argv: readonly string[], io: OpsIo): Promise<number> {
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
  try {
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
        return await verifyStores(sources, io, values.json);
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
