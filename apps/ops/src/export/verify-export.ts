import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { GENESIS_HASH, linkHash } from '#event-store';
import { findingsReport } from '../audit/verify-command.js';
import { isBookkeepingStream, type Finding } from '../audit/store-audit.js';
import { count, type OpsIo } from '../ops-io.js';
import type { ExportLine } from './export-line.js';

const HASH = /^[0-9a-f]{64}$/;

interface StreamSoFar {
  revision: number;
  /** The hash of the stream's last line; undefined while its lines are from before the chain. */
  hash: string | undefined;
}

/**
 * `ops verify --export <file>`: an export checked on its own, without the
 * store: each stream's lines in unbroken revision order, each chained line's
 * hash the link of its previous hash and its digest, each previous hash the
 * hash of the stream's line before. What it cannot tell: that a public form
 * matches its digest (the digest covers private fields), or what came before
 * a stream's first line: compare with an earlier export or with the store
 * (`ops verify`).
 */
export async function verifyExport(file: string, io: OpsIo, json: boolean): Promise<number> {
  const streams = new Map<string, StreamSoFar>();
  const findings: Finding[] = [];
  let lines = 0;
  let chained = 0;
  const lineReader = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  for await (const text of lineReader) {
    lines += 1;
    if (text.trim() === '') continue;
    const report = (stream: string, revision: number | null, message: string) =>
      findings.push({ source: `${file}:${lines}`, stream, revision, check: 'export', message });

    let line: ExportLine;
    try {
      line = JSON.parse(text) as ExportLine;
    } catch {
      report('-', null, 'not a JSON line');
      continue;
    }
    if (typeof line.stream !== 'string' || !Number.isSafeInteger(line.revision)) {
      report(String(line.stream), null, 'no stream or revision');
      continue;
    }
    const before = streams.get(line.stream);
    if (before && line.revision !== before.revision + 1) {
      report(
        line.stream,
        line.revision,
        `revision ${line.revision} follows revision ${before.revision} (a gap or a repeat)`,
      );
    }
    const chain = line.chain;
    if (chain === null || chain === undefined) {
      if (before?.hash !== undefined)
        report(line.stream, line.revision, 'no chain, but earlier lines of its stream have one');
      streams.set(line.stream, { revision: line.revision, hash: before?.hash });
      continue;
    }
    chained += 1;
    const anchors = chain.previous === null && !before && isBookkeepingStream(line.stream);
    if (anchors && typeof chain.hash === 'string' && HASH.test(chain.hash)) {
      // The first kept line of a truncated bookkeeping stream: its hash anchors the lines after it.
      streams.set(line.stream, { revision: line.revision, hash: chain.hash });
      continue;
    }
    if (![chain.previous, chain.digest, chain.hash].every((hash) => typeof hash === 'string' && HASH.test(hash))) {
      report(line.stream, line.revision, 'its chain hashes are not 64 hex digits each');
      streams.set(line.stream, { revision: line.revision, hash: before?.hash });
      continue;
    }
    if (before) {
      const expectedPrevious = before.hash ?? GENESIS_HASH;
      if (chain.previous !== expectedPrevious) {
        report(
          line.stream,
          line.revision,
          `its previous hash is not the hash of revision ${before.revision} (a line was changed, dropped or inserted)`,
        );
      }
    }
    if (linkHash(chain.previous!, chain.digest) !== chain.hash) {
      report(
        line.stream,
        line.revision,
        'its hash is not SHA-256(previous ‖ digest): the event was changed in the store, or this line was',
      );
    }
    streams.set(line.stream, { revision: line.revision, hash: chain.hash });
  }

  if (json) {
    io.out(
      `${JSON.stringify({ ok: findings.length === 0, lines, chained, streams: streams.size, findings }, null, 2)}\n`,
    );
  } else {
    io.out(`verify --export: ${count(lines)} lines, ${count(chained)} chained, in ${count(streams.size)} streams\n`);
    io.out(findingsReport(findings));
  }
  return findings.length === 0 ? 0 : 1;
}
