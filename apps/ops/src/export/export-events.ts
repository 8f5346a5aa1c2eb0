import { GENESIS_HASH, chainHashOf, eventDigest, type RecordedEvent } from '#event-store';
import { PUBLIC_FORMS, aggregateOf, type ServiceName } from '../audited-services.js';
import { isBookkeepingStream } from '../audit/store-audit.js';
import type { AuditSource } from '../audit-sources.js';
import { ProgressLine, type OpsIo } from '../ops-io.js';
import type { ExportedPublicForm, ExportLine } from './export-line.js';

/**
 * `ops export --since <time>`: from the first event of each stream recorded
 * at or after `since`, every later event of that stream, so that each
 * stream's part of the export is one unbroken piece of its chain (a clock
 * that stepped back between two processes cannot leave a hole in it). The
 * digest is computed here from the stored event: if the store was altered,
 * the line's link does not match its stored hash and `verify --export` says
 * where.
 */
export async function exportEvents(sources: readonly AuditSource[], since: Date, io: OpsIo): Promise<number> {
  const progress = new ProgressLine(io.err, 'export');
  let read = 0;
  let written = 0;
  for (const source of sources) {
    const lastHash = new Map<string, string>();
    const seen = new Set<string>();
    const exporting = new Set<string>();
    for await (const event of source.store.readAll()) {
      progress.tick(++read);
      // The first kept event of a truncated bookkeeping stream: what it links to is gone.
      const anchor = !seen.has(event.stream) && event.revision > 0 && isBookkeepingStream(event.stream);
      seen.add(event.stream);
      const previous = anchor ? null : lastHash.get(event.stream);
      const hash = chainHashOf(event.metadata);
      if (hash !== undefined) lastHash.set(event.stream, hash);
      if (!exporting.has(event.stream)) {
        if (event.recordedAt.getTime() < since.getTime()) continue;
        exporting.add(event.stream);
      }
      await io.out(`${JSON.stringify(exportLine(source, event, previous, hash))}\n`);
      written += 1;
    }
  }
  progress.done();
  io.err.write(`export: ${written} events since ${since.toISOString()}\n`);
  return 0;
}

function exportLine(
  source: AuditSource,
  event: RecordedEvent,
  previous: string | null | undefined,
  hash: string | undefined,
): ExportLine {
  return {
    source: source.label,
    stream: event.stream,
    revision: event.revision,
    position: event.position.toString(),
    eventId: event.id,
    type: event.type,
    recordedAt: event.recordedAt.toISOString(),
    public: publicFormOf(source, event),
    chain:
      hash === undefined
        ? null
        : { previous: previous === undefined ? GENESIS_HASH : previous, digest: eventDigest(event), hash },
  };
}

/** The service's published form, or null; never anything else of the event. */
export function publicFormOf(source: Pick<AuditSource, 'services'>, event: RecordedEvent): ExportedPublicForm | null {
  const service: ServiceName | undefined =
    source.services.length === 1 ? source.services[0] : aggregateOf(event.stream)?.service;
  if (!service) return null;
  try {
    const published = PUBLIC_FORMS[service](event);
    if (!published) return null;
    const { schemaVersion, aggregateId, userId, orgId, actingSessionId, occurredAt, data } = published;
    return {
      schemaVersion,
      aggregateId,
      ...(userId === undefined ? {} : { userId }),
      ...(orgId === undefined ? {} : { orgId }),
      ...(actingSessionId === undefined ? {} : { actingSessionId }),
      occurredAt,
      data,
    };
  } catch {
    return null; // not decodable: `verify` reports it; an export shows no more than its type
  }
}
