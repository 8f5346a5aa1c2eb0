/**
 * Progress of a command that works through a known number of items (users,
 * streams): a cli-progress bar redrawn in place when stderr is a terminal;
 * otherwise (a pipe, a log file, CI) a plain `label: done/total unit` line at
 * the start, every two seconds and at the end, so a long run in a log shows
 * it is moving.
 */
import cliProgress from 'cli-progress';
import type { OpsIo } from './ops-io.js';

export interface Progress {
  increment(): void;
  stop(): void;
}

export function progressBar(io: OpsIo, label: string, total: number, unit: string): Progress {
  // What cli-progress writes to: the command's stderr, whatever it is (a spec's capture included).
  const stream = {
    write: (text: string) => (io.err.write(text), true),
    isTTY: io.err.isTTY,
    columns: process.stderr.columns,
  } as unknown as NodeJS.WritableStream;
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: io.err.isTTY
        ? `${label} {bar} {value}/{total} ${unit} | {eta_formatted} left`
        : `${label}: {value}/{total} ${unit}`,
      noTTYOutput: true,
      notTTYSchedule: 2000,
      clearOnComplete: io.err.isTTY,
      hideCursor: false,
      gracefulExit: false,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  return { increment: () => bar.increment(), stop: () => bar.stop() };
}
