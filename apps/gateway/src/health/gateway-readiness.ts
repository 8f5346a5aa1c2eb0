import type { ReadinessReport } from '#observability';
import type { ServiceClient } from '#messaging';
import { ROUTES_NEEDING, servicesHealth, type ServicesHealth } from './service-health.js';

/** Shorter than the management listener's 3 s for a whole readiness answer. */
const SERVICE_PROBE_MS = 2000;

/**
 * The gateway's readiness (`GET /health/ready` of its management listener):
 * ready while it can serve itself, i.e. its Kafka client gets replies (its
 * revocation view's subscription reports on its own). A service that is down
 * makes it `degraded`, still 200, naming the service and the routes that
 * cannot answer meanwhile: taking the gateway out of a load balancer would
 * stop every route, the ones that still work included. `GET /health` on the
 * API port is the strict one (503 when a service is down).
 */
export async function gatewayReadiness(services: ServiceClient): Promise<ReadinessReport> {
  if (!services.connected) return { status: 'down', error: 'its Kafka client does not receive replies yet' };
  const health = await servicesHealth(services, SERVICE_PROBE_MS);
  const down = (Object.keys(health) as (keyof ServicesHealth)[]).filter((name) => health[name].status !== 'up');
  return {
    status: down.length === 0 ? 'up' : 'degraded',
    services: Object.fromEntries(
      Object.entries(health).map(([name, report]) => [
        name,
        report.status === 'up'
          ? { status: 'up' }
          : { ...report, unavailable: ROUTES_NEEDING[name as keyof ServicesHealth] },
      ]),
    ),
  };
}
