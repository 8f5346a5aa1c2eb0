import type { KafkaConnectionConfig } from '#config';
import { AUDITED_AGGREGATES } from '../audited-services.js';
import type { AuditSource } from '../audit-sources.js';
import { ProgressLine, count, type OpsIo } from '../ops-io.js';
import { StoreAudit, type Finding, type StoreAuditSummary } from './store-audit.js';
import { compareWithTopics, type TopicCheck } from './verify-topics.js';

/** How many findings the text report lists; `--json` lists them all. */
const LISTED_FINDINGS = 100;

/**
 * `ops verify`: every store read whole, in order; with Kafka settings, then
 * compared with the integration topics (verify-topics.ts). 0: nothing wrong; 1: findings.
 */
export async function verifyStores(
  sources: readonly AuditSource[],
  io: OpsIo,
  json: boolean,
  kafka?: KafkaConnectionConfig,
): Promise<number> {
  const started = Date.now();
  const progress = new ProgressLine(io.err, 'verify');
  const summaries: Array<{ source: string } & StoreAuditSummary> = [];
  let done = 0;
  for (const source of sources) {
    const audit = new StoreAudit(
      source.label,
      AUDITED_AGGREGATES.filter((aggregate) => source.services.includes(aggregate.service)),
    );
    for await (const event of source.store.readAll()) {
      audit.add(event);
      progress.tick(++done, ` (${source.label})`);
    }
    summaries.push({ source: source.label, ...audit.summary() });
  }
  progress.done();
  const topics = kafka ? await compareWithTopics(sources, kafka, io) : undefined;
  const seconds = (Date.now() - started) / 1000;
  const findings = [...summaries.flatMap((summary) => summary.findings), ...(topics?.findings ?? [])];

  if (json) {
    io.out(
      `${JSON.stringify(
        {
          ok: findings.length === 0,
          seconds,
          stores: summaries.map(({ findings: _, ...summary }) => summary),
          topics: topics ? { ...topics, findings: undefined } : null,
          findings,
        },
        null,
        2,
      )}\n`,
    );
  } else {
    io.out(storeReport(summaries, seconds));
    io.out(topicReport(topics));
    io.out(findingsReport(findings));
  }
  return findings.length === 0 ? 0 : 1;
}

function storeReport(summaries: ReadonlyArray<{ source: string } & StoreAuditSummary>, seconds: number): string {
  const events = summaries.reduce((sum, summary) => sum + summary.events, 0);
  const lines = [
    `verify: ${count(events)} events in ${seconds.toFixed(1)} s (${count(Math.round(events / Math.max(seconds, 0.001)))} events/s)`,
  ];
  for (const summary of summaries) {
    lines.push(
      `  ${summary.source}: ${count(summary.events)} events in ${count(summary.streams)} streams`,
      `    hash chain: ${count(summary.chainedFromStart)} streams chained from their first event, ` +
        `${count(summary.chainStartsLater.length)} from a later revision, ${count(summary.unchainedStreams)} not chained ` +
        `(${count(summary.eventsBeforeChain)} events written before chains existed)`,
      `    replayed through their deciders: ${count(summary.replayedEvents)} events; ` +
        `other streams (snapshots, checkpoints: revisions and chain only): ${count(summary.otherStreams)} ` +
        `(${count(summary.truncatedStreams)} truncated: kept from a later revision)`,
    );
    for (const { stream, chainStartsAt } of summary.chainStartsLater.slice(0, 10)) {
      lines.push(`    ${stream}: chain starts at revision ${chainStartsAt}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function topicReport(check: TopicCheck | undefined): string {
  if (!check) return '  topics: not compared (KAFKA_BROKERS unset)\n';
  const { summary } = check;
  const lines = [
    `  topics ${check.topics.join(', ')}${check.principal ? ` (read as ${check.principal})` : ''}: ` +
      `${count(summary.messages)} messages; ${count(summary.found)} of ${count(summary.expected)} published events found, ` +
      `${count(summary.duplicates)} duplicates (at-least-once), ${count(summary.pending)} not yet published ` +
      `(after the relay's checkpoint), ${count(summary.expired)} no longer retained (recorded before the oldest message ` +
      `their partition keeps: retention), ${count(summary.olderVersions)} published under an older schema version`,
  ];
  for (const topic of check.missingTopics) lines.push(`    ${topic}: no such topic (read as empty)`);
  return `${lines.join('\n')}\n`;
}

export function findingsReport(findings: readonly Finding[]): string {
  if (findings.length === 0) return 'OK: no problem found\n';
  const listed = findings
    .slice(0, LISTED_FINDINGS)
    .map(
      (finding) =>
        `  ${finding.source} ${finding.stream}${finding.revision === null ? '' : ` revision ${finding.revision}`} [${finding.check}]: ${finding.message}`,
    );
  const more =
    findings.length > LISTED_FINDINGS
      ? [`  … and ${count(findings.length - LISTED_FINDINGS)} more (--json lists all)`]
      : [];
  return `FAILED: ${count(findings.length)} problem${findings.length === 1 ? '' : 's'}\n${[...listed, ...more].join('\n')}\n`;
}
