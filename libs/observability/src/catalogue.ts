import { counter, gauge, histogram } from './metrics.js';
import { within } from './within.js';

/**
 * Every metric of the system, in one place (README, "Logs, correlation and
 * metrics", lists them): each process registers them all on import and
 * reports those it records. Label values are bounded sets (routes, patterns,
 * error codes), never ids.
 */

/** From a millisecond to ten seconds: an argon2 verify takes a good part of a second on a busy machine. */
const LATENCY_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export const httpRequests = counter({
  name: 'totp_mfa_http_requests_total',
  help: 'HTTP requests the gateway answered, by method, matched route and status',
  labelNames: ['method', 'route', 'status'],
});

export const httpRequestDuration = histogram({
  name: 'totp_mfa_http_request_duration_seconds',
  help: 'Time the gateway took to answer an HTTP request, by method, matched route and status',
  labelNames: ['method', 'route', 'status'],
  buckets: LATENCY_BUCKETS,
});

export const logins = counter({
  name: 'totp_mfa_logins_total',
  help: 'Login steps by step (password, mfa, recovery_code) and outcome (the answer status or error code)',
  labelNames: ['step', 'outcome'],
});

export const rateLimitRefusals = counter({
  name: 'totp_mfa_rate_limit_refusals_total',
  help: 'Login steps refused by the per-address rate limit (429), by route',
  labelNames: ['route'],
});

export const rpcClientDuration = histogram({
  name: 'totp_mfa_rpc_client_duration_seconds',
  help: 'Request/reply latency seen by the caller, by pattern and outcome (ok or the error code)',
  labelNames: ['pattern', 'outcome'],
  buckets: LATENCY_BUCKETS,
});

export const rpcServerDuration = histogram({
  name: 'totp_mfa_rpc_server_duration_seconds',
  help: 'Time a service took to handle a request, by pattern and outcome (ok or the error code)',
  labelNames: ['pattern', 'outcome'],
  buckets: LATENCY_BUCKETS,
});

export const codeChecks = counter({
  name: 'totp_mfa_code_checks_total',
  help: 'TOTP and recovery code checks by purpose, outcome (accepted, refused) and reason of a refusal',
  labelNames: ['purpose', 'outcome', 'reason'],
});

export const mfaLockouts = counter({
  name: 'totp_mfa_mfa_lockouts_total',
  help: 'Codes locked after too many wrong ones, by kind (timed, admin_reset)',
  labelNames: ['kind'],
});

export const passwordChecks = counter({
  name: 'totp_mfa_password_checks_total',
  help: 'Password steps by outcome (ok, invalid_credentials, ip_not_allowed, too_many_attempts, account_locked)',
  labelNames: ['outcome'],
});

export const accountLockouts = counter({
  name: 'totp_mfa_account_lockouts_total',
  help: 'Accounts locked after PASSWORD_LOCK_AFTER_FAILURES failed passwords',
});

export const eventStoreAppendDuration = histogram({
  name: 'totp_mfa_event_store_append_duration_seconds',
  help: 'Time an aggregate append took, by outcome (ok, conflict, error)',
  labelNames: ['outcome'],
  buckets: LATENCY_BUCKETS,
});

export const relayPublished = counter({
  name: 'totp_mfa_relay_published_total',
  help: 'Integration events a relay published to its topic, by relay',
  labelNames: ['relay'],
});

const relayLags = new Map<string, () => Promise<number>>();
/** A scrape does not wait longer than this for a relay's store. */
const LAG_READ_TIMEOUT_MS = 1_000;

export const relayLag = gauge({
  name: 'totp_mfa_relay_lag_events',
  help: "Events of a relay's streams not handled yet (capped at 10000), by relay; read at each scrape",
  labelNames: ['relay'],
  async collect() {
    this.reset();
    for (const [relay, lagOf] of relayLags) {
      try {
        this.set({ relay }, await within(lagOf(), LAG_READ_TIMEOUT_MS, () => new Error('no answer')));
      } catch {
        // A store that does not answer now: no sample rather than a wrong one (readiness tells why).
      }
    }
  },
});

/** Reads the relay's lag at each scrape, until the answered function is called (the relay stopped). */
export function trackRelayLag(relay: string, lagOf: () => Promise<number>): () => void {
  relayLags.set(relay, lagOf);
  return () => {
    if (relayLags.get(relay) === lagOf) relayLags.delete(relay);
  };
}
