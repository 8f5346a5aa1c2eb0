/** Where a command writes, and what it reads of its environment: the real process, or a spec's capture. */
export interface OpsIo {
  readonly env: NodeJS.ProcessEnv;
  /** Results: the table, the report, the JSON, the export lines. A promise: wait before writing more (a slow pipe). */
  out(text: string): void | Promise<void>;
  /** Diagnostics and the progress line (only on a terminal). */
  readonly err: { write(text: string): void; readonly isTTY: boolean };
}

export const processIo = (): OpsIo => ({
  env: process.env,
  out: (text) =>
    process.stdout.write(text) ? undefined : new Promise<void>((resolve) => process.stdout.once('drain', resolve)),
  err: { write: (text) => void process.stderr.write(text), isTTY: process.stderr.isTTY === true },
});

export const count = (n: number): string => n.toLocaleString('en-US');

/**
 * A progress line on stderr, rewritten in place, for long runs; nothing at all
 * when stderr is not a terminal (a pipe, a log file, CI), so output stays clean.
 */
export class ProgressLine {
  private lastDrawn = 0;
  private drawn = false;
  private readonly started = Date.now();

  constructor(
    private readonly err: OpsIo['err'],
    private readonly label: string,
    private readonly everyMs = 250,
  ) {}

  /** Cheap enough to call per event: looks at the clock once every 1024 calls. */
  tick(done: number, detail = ''): void {
    if (!this.err.isTTY || (done & 1023) !== 0) return;
    const now = Date.now();
    if (now - this.lastDrawn < this.everyMs) return;
    this.lastDrawn = now;
    this.drawn = true;
    const perSecond = Math.round(done / Math.max((now - this.started) / 1000, 0.001));
    this.err.write(`\r\x1b[K${this.label}: ${count(done)} events${detail}, ${count(perSecond)}/s`);
  }

  done(): void {
    if (this.drawn) this.err.write('\r\x1b[K');
  }
}

/** Columns padded to their widest cell; the last one left as is. */
export function renderTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n') + '\n';
}
