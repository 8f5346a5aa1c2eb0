import { readdirSync, readFileSync } from 'node:fs';

/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in these ticks (100 on every common kernel). */
const TICKS_PER_SECOND = 100;

/** Processes whose command line and environment match (read from /proc; processes that vanish are skipped). */
export function pidsWhere(match: (cmdline: string, environ: string) => boolean): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => {
      try {
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
        const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').replaceAll('\0', '\n');
        return match(cmdline, environ);
      } catch {
        return false;
      }
    });
}

/** User + system CPU time of the processes so far, in milliseconds (all their threads). */
export function cpuMsOf(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      // Fields after the command name (which may hold spaces, inside parentheses): utime is the 14th, stime the 15th.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // exited meanwhile: its CPU time is gone with it
    }
  }
  return (ticks * 1000) / TICKS_PER_SECOND;
}
