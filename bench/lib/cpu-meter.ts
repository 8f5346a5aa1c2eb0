import { readFileSync } from 'node:fs';
import { REPO_ROOT } from '#testing';
import { cpuMsOf, pidsWhere } from './process-cpu.js';

/**
 * The CPU the processes of one system spend, read from /proc, per group:
 * its apps (`gateway`, `identity`, … or `standalone`, found by their DATA_DIR),
 * the repo's own Kafka broker (scripts/kafka-local.sh; not another one on the
 * machine, a CI run's or the fault suite's), and the PostgreSQL backends
 * serving its database (found by the database's name in their process title;
 * the server's shared processes, its WAL writer and checkpointer, serve other
 * work on the machine too and are left out). Processes are found again at each
 * reading: a backend started during a run counts from zero.
 */
export class CpuMeter {
  constructor(
    private readonly target: {
      readonly dataDir: string;
      readonly broker?: boolean;
      /** The PostgreSQL database the system's stores are in. */
      readonly database?: string;
    },
  ) {}

  /** CPU milliseconds so far, per process id, with each process's group. */
  read(): Map<number, { group: string; ms: number }> {
    const { dataDir, broker = false, database } = this.target;
    const found = new Map<number, { group: string; ms: number }>();
    for (const pid of pidsWhere((cmdline, environ) => {
      if (cmdline.includes('dist/apps/') && environ.includes(`DATA_DIR=${dataDir}\n`)) return true;
      if (broker && cmdline.includes(`${REPO_ROOT}/.cache/kafka/server.properties`)) return true;
      return database !== undefined && cmdline.startsWith('postgres: ') && cmdline.includes(` ${database} `);
    })) {
      found.set(pid, { group: groupOf(pid), ms: cpuMsOf([pid]) });
    }
    return found;
  }

  /** What each group spent between two readings, divided by `units`, and the sum of them all. */
  static spentPer(
    before: Map<number, { group: string; ms: number }>,
    after: Map<number, { group: string; ms: number }>,
    units: number,
  ): { total: number; byGroup: Map<string, number> } {
    const byGroup = new Map<string, number>();
    for (const [pid, { group, ms }] of after) {
      const spent = (ms - (before.get(pid)?.ms ?? 0)) / units;
      byGroup.set(group, (byGroup.get(group) ?? 0) + spent);
    }
    const sorted = new Map([...byGroup].sort((a, b) => a[0].localeCompare(b[0])));
    return { total: [...byGroup.values()].reduce((sum, ms) => sum + ms, 0), byGroup: sorted };
  }
}

function groupOf(pid: number): string {
  let cmdline = '';
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return 'gone';
  }
  if (cmdline.startsWith('postgres: ')) return 'postgresql';
  return /dist\/apps\/([^/]+)\//.exec(cmdline)?.[1] ?? 'kafka broker';
}

/**
 * How the repo's own broker's JVM compiles: `kafka-local.sh start` runs C1
 * only (quick to start, for development and CI), `run` (the container) the
 * full JIT, which spends about half the CPU a round trip once warm. Printed
 * with every figure the broker's CPU is part of.
 */
export function brokerJit(): string {
  const [pid] = pidsWhere((cmdline) => cmdline.includes(`${REPO_ROOT}/.cache/kafka/server.properties`));
  if (pid === undefined) return 'JIT unknown (not the repo broker)';
  const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  return cmdline.includes('-XX:TieredStopAtLevel=1') ? 'broker JIT C1 only' : 'broker full JIT';
}

/** "gateway 12.3, identity 4.5, …" (milliseconds). */
export const formatBreakdown = (byGroup: Map<string, number>): string =>
  [...byGroup].map(([group, ms]) => `${group} ${ms.toFixed(1)}`).join(', ');
