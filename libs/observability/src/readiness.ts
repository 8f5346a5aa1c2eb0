import { within } from './within.js';

/** What one part of a process says about itself: down fails readiness; degraded still serves. */
export interface ReadinessReport {
  readonly status: 'up' | 'degraded' | 'down';
  readonly [detail: string]: unknown;
}

export type ReadinessCheck = () => Promise<ReadinessReport>;

const checks = new Map<string, ReadinessCheck>();

/**
 * Registers what `GET /health/ready` asks of a part of this process (a
 * service: its event store and transport; the gateway: its Kafka client and
 * revocation view; notifications: its consumers). In the embedded standalone
 * every service registers its own, and the one listener asks them all.
 * Answers a function that takes it back (the part stopped).
 */
export function addReadinessCheck(name: string, check: ReadinessCheck): () => void {
  checks.set(name, check);
  return () => {
    if (checks.get(name) === check) checks.delete(name);
  };
}

/** Every registered check, run at once; one that throws is down, with its error's message. */
export async function readinessReports(timeoutMs = 3000): Promise<Record<string, ReadinessReport>> {
  const entries = await Promise.all(
    [...checks].map(async ([name, check]): Promise<[string, ReadinessReport]> => {
      try {
        return [name, await within(check(), timeoutMs, () => new Error(`no answer within ${timeoutMs} ms`))];
      } catch (error) {
        return [name, { status: 'down', error: error instanceof Error ? error.message : String(error) }];
      }
    }),
  );
  return Object.fromEntries(entries);
}
