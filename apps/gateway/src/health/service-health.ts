import { DomainError, IdentityRpc, MfaRpc, PolicyRpc, type HealthReport } from '#contracts';
import type { ServiceClient } from '#messaging';
import { within } from '#observability';

export type ServiceHealth = HealthReport | { status: 'down'; error: string };
export type ServicesHealth = Record<'identity' | 'mfa' | 'policy', ServiceHealth>;

/** What a client cannot do while a service is down: the gateway degrades per route, it does not go away. */
export const ROUTES_NEEDING: Record<keyof ServicesHealth, readonly string[]> = {
  identity: [
    'POST /v1/auth/login',
    'POST /v1/auth/refresh',
    'POST /v1/auth/logout',
    '/v1/me',
    '/v1/me/password',
    '/v1/me/sessions',
    '/v1/me/mfa/enrollment',
    '/v1/admin/users',
    '/v1/admin/organisations',
  ],
  mfa: ['POST /v1/auth/login', 'POST /v1/auth/login/mfa', '/v1/me', '/v1/me/password', '/v1/me/mfa', '/v1/admin/users'],
  policy: ['POST /v1/auth/login', 'POST /v1/auth/login/mfa', '/v1/admin/policies'],
};

/**
 * Each service by a real round trip through the transport (`<service>.check-health`),
 * at once; one that does not answer within `timeoutMs` (default: the callers'
 * timeout) is down.
 */
export async function servicesHealth(services: ServiceClient, timeoutMs?: number): Promise<ServicesHealth> {
  const probe = async (call: () => Promise<HealthReport>): Promise<ServiceHealth> => {
    try {
      return timeoutMs === undefined
        ? await call()
        : await within(
            call(),
            timeoutMs,
            () => new DomainError('service_unavailable', `no answer within ${timeoutMs} ms`),
          );
    } catch (error) {
      return { status: 'down', error: error instanceof DomainError ? error.message : 'unreachable' };
    }
  };
  const [identity, mfa, policy] = await Promise.all([
    probe(() => services.call(IdentityRpc.checkHealth, {})),
    probe(() => services.call(MfaRpc.checkHealth, {})),
    probe(() => services.call(PolicyRpc.checkHealth, {})),
  ]);
  return { identity, mfa, policy };
}
