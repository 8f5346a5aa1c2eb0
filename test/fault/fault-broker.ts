import type { OwnKafkaBrokerOptions } from '#testing';

/**
 * The fault tests stop and start their broker: it is their own, never the one
 * the integration and end-to-end suites share (`.cache/kafka`, port 9092). It
 * reuses that one's downloaded jars. Override the cache and ports to run two
 * fault runs side by side.
 */
export const FAULT_BROKER: OwnKafkaBrokerOptions = {
  cacheDir: process.env['KAFKA_FAULT_CACHE_DIR'] ?? '.cache/kafka-fault',
  port: Number(process.env['KAFKA_FAULT_PORT'] ?? 19192),
  controllerPort: Number(process.env['KAFKA_FAULT_CONTROLLER_PORT'] ?? 19193),
};
