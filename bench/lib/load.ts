import { performance } from 'node:perf_hooks';

export interface LoadFigures {
  readonly total: number;
  readonly concurrency: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly perSecond: number;
}

/** The q-quantile of ascending-sorted values (nearest rank); NaN for none. */
export const quantile = (sorted: readonly number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

/** Runs `call` `total` times with `concurrency` in flight; latency percentiles and throughput. */
export async function runLoad(
  total: number,
  concurrency: number,
  call: (index: number) => Promise<unknown>,
): Promise<LoadFigures> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < total) {
      const index = next++;
      const t0 = performance.now();
      await call(index);
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  const elapsedMs = performance.now() - started;
  latencies.sort((a, b) => a - b);
  return {
    total,
    concurrency,
    p50Ms: quantile(latencies, 0.5),
    p99Ms: quantile(latencies, 0.99),
    perSecond: (total / elapsedMs) * 1000,
  };
}

export const formatLoad = (label: string, f: LoadFigures): string =>
  `${label.padEnd(44)} n=${String(f.total).padStart(5)} c=${String(f.concurrency).padStart(2)}  p50 ${f.p50Ms.toFixed(2).padStart(7)} ms  p99 ${f.p99Ms.toFixed(2).padStart(7)} ms  ${f.perSecond.toFixed(0).padStart(6)}/s`;
