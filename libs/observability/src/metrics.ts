import {
  collectDefaultMetrics,
  Counter,
  Gauge,
  Histogram,
  Registry,
  type CounterConfiguration,
  type GaugeConfiguration,
  type HistogramConfiguration,
} from 'prom-client';

/**
 * The process's one registry: what its `/metrics` serves. The embedded
 * standalone runs every service in one process, and so in one registry; a
 * metric is registered by its first user and found by every later one, so
 * registering twice never throws.
 */
export const metricsRegistry = new Registry();

export const METRIC_PREFIX = 'totp_mfa_';

let processMetricsCollected = false;

/** Node's and the process's own metrics (CPU, memory, event loop lag, GC), once per process. */
export function collectProcessMetrics(): void {
  if (processMetricsCollected) return;
  processMetricsCollected = true;
  collectDefaultMetrics({ register: metricsRegistry, prefix: METRIC_PREFIX });
}

const existing = <M>(name: string): M | undefined => metricsRegistry.getSingleMetric(name) as M | undefined;

export function counter<Label extends string>(config: CounterConfiguration<Label>): Counter<Label> {
  return existing<Counter<Label>>(config.name) ?? new Counter({ ...config, registers: [metricsRegistry] });
}

export function histogram<Label extends string>(config: HistogramConfiguration<Label>): Histogram<Label> {
  return existing<Histogram<Label>>(config.name) ?? new Histogram({ ...config, registers: [metricsRegistry] });
}

export function gauge<Label extends string>(config: GaugeConfiguration<Label>): Gauge<Label> {
  return existing<Gauge<Label>>(config.name) ?? new Gauge({ ...config, registers: [metricsRegistry] });
}

/** Seconds since `startedAt` (a `performance.now()`), for the histograms. */
export const secondsSince = (startedAt: number): number => (performance.now() - startedAt) / 1000;
