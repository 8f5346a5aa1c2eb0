/**
 * Fixtures for identity's specs, on `#testing`: the operator the installation
 * bootstrap creates from the environment, and the store read as a whole.
 */
import { randomUUID } from 'node:crypto';
import { IdentityRpc, type UserView } from '#contracts';
import type { EventStore, RecordedEvent } from '#event-store';
import { startServiceUnderTest, type ServiceUnderTest, type StartServiceUnderTestOptions } from '#testing';
import { IdentityModule } from './identity.module.js';

export const OPERATOR = { email: 'operator@example.org', password: 'operator long password' } as const;
export const OPERATOR_ENV = { BOOTSTRAP_ADMIN_EMAIL: OPERATOR.email, BOOTSTRAP_ADMIN_PASSWORD: OPERATOR.password };

/** Where the specs' sign-ins come from. */
export const SIGN_IN_CONTEXT = { ip: '203.0.113.7', userAgent: 'spec-agent/1.0' } as const;

/** An `identity.verify-credentials` request as the gateway sends it for an address the policy allows. */
export const signInRequest = (email: string, password: string, overrides: Record<string, unknown> = {}) => ({
  email,
  password,
  addressAllowed: true,
  context: SIGN_IN_CONTEXT,
  ...overrides,
});

/** Identity bootstrapped with the operator, and the operator as identity answers a sign-in. */
export async function startIdentityWithOperator(
  options: StartServiceUnderTestOptions = {},
): Promise<{ identity: ServiceUnderTest; operator: UserView }> {
  const identity = await startServiceUnderTest(IdentityModule, {
    ...options,
    env: { ...OPERATOR_ENV, ...options.env },
  });
  const { passwordChangeRequired: _, ...operator } = await identity.ok(
    IdentityRpc.verifyCredentials,
    signInRequest(OPERATOR.email, OPERATOR.password),
  );
  return { identity, operator };
}

/** Every event of the store, in global order, up to now. */
export async function allEvents(store: EventStore): Promise<RecordedEvent[]> {
  const marker = randomUUID();
  await store.append(`spec_marker-${marker}`, [{ id: marker, type: 'SpecMarker', data: {} }], 'no_stream');
  return new Promise((resolve, reject) => {
    const events: RecordedEvent[] = [];
    const subscription = store.subscribeToAll(
      {},
      {
        onEvent: (event) => {
          if (event.id !== marker) {
            events.push(event);
            return;
          }
          void subscription.close();
          resolve(events);
        },
        onError: reject,
      },
    );
  });
}

export const countByType = (events: readonly RecordedEvent[], type: string): number =>
  events.filter((event) => event.type === type).length;

/** Another organisation (a tenant the operator creates) and its first admin, as identity answers them. */
export async function createTenantAdmin(identity: ServiceUnderTest, operator: UserView): Promise<UserView> {
  const email = 'boss@tenant.example';
  const tenant = await identity.ok(IdentityRpc.createOrganisation, {
    name: 'Tenant',
    adminEmail: email,
    adminPassword: 'boss long password',
    requestedBy: { userId: operator.id, orgId: operator.orgId },
  });
  return { id: tenant.adminId, email, orgId: tenant.id, roles: ['admin'] };
}
