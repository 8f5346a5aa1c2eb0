/**
 * The typed contracts of `auth.*.events` (libs/contracts/src/integration-events)
 * against what the services really publish: every type a service's public
 * forms let out has a contract and no contract is for a type never published;
 * and every type, produced by the real services and published by their real
 * relays, is read by a real subscriber as its contract says.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  IdentityRpc,
  INTEGRATION_EVENT_CONTRACTS,
  INTEGRATION_EVENT_CONTRACTS_BY_TOPIC,
  INTEGRATION_TOPICS,
  MfaRpc,
  mintRefreshToken,
  PolicyRpc,
  readIntegrationEvent,
  SessionRpc,
  type IntegrationEventReading,
  type IntegrationTopic,
} from '#contracts';
import type { DomainEvent } from '#event-store';
import { IntegrationEventSubscription, type PublishedAggregate } from '#messaging';
import { startServiceUnderTest, type ServiceUnderTest } from '#testing';
import { SIGN_IN_CONTEXT, signInRequest, startIdentityWithOperator } from '../../identity/src/identity.testing.js';
import { publishedOrganisation } from '../../identity/src/organisations/organisation.public.js';
import { publishedSession } from '../../identity/src/sessions/session.public.js';
import { publishedUser } from '../../identity/src/users/user.public.js';
import { publishedMfaEnrollment } from '../../mfa/src/mfa-enrollment/mfa-enrollment.public.js';
import { CONTEXT, activeUser, appCode, currentStep, startMfaService, wrongCode } from '../../mfa/src/mfa.testing.js';
import { orgPolicyPublished } from '../../policy/src/org-policy/org-policy.public.js';
import { PolicyModule } from '../../policy/src/policy.module.js';

/** What each topic's relay publishes: its service's aggregates. */
const PUBLISHED: Record<IntegrationTopic, ReadonlyArray<PublishedAggregate<DomainEvent>>> = {
  'auth.identity.events': [publishedUser, publishedOrganisation, publishedSession] as never,
  'auth.mfa.events': [publishedMfaEnrollment] as never,
  'auth.policy.events': [orgPolicyPublished] as never,
};

const publishedTypes = (topic: IntegrationTopic): string[] =>
  PUBLISHED[topic]
    .flatMap((aggregate) => Object.entries(aggregate.publicForms))
    .filter(([, form]) => form !== null)
    .map(([type]) => type)
    .sort();

describe('the integration event contracts', () => {
  it.each(Object.values(INTEGRATION_TOPICS))(
    'cover exactly the types the public forms publish on %s, each in the version its codec publishes',
    (topic) => {
      const contracts = INTEGRATION_EVENT_CONTRACTS_BY_TOPIC[topic];
      expect(Object.keys(contracts).sort()).toEqual(publishedTypes(topic));
      for (const aggregate of PUBLISHED[topic]) {
        for (const [type, form] of Object.entries(aggregate.publicForms)) {
          if (form === null) continue;
          expect(Object.keys(contracts[type] ?? {}), type).toContain(String(aggregate.codec.versionOf(type)));
        }
      }
    },
  );
});

describe(
  'every integration event type, published by the real services and read by a subscriber',
  { timeout: 60_000 },
  () => {
    const readings = new Map<string, IntegrationEventReading[]>();
    const subscriber = new IntegrationEventSubscription({
      name: 'spec-contracts',
      topics: Object.values(INTEGRATION_TOPICS),
      from: 'committed',
      handle: (event) => {
        readings.set(event.type, [...(readings.get(event.type) ?? []), readIntegrationEvent(event)]);
      },
    });
    const services: ServiceUnderTest[] = [];

    beforeAll(async () => {
      subscriber.start();
      const { identity, operator } = await startIdentityWithOperator({
        env: { PASSWORD_DELAY_AFTER_FAILURES: '2', PASSWORD_LOCK_AFTER_FAILURES: '2' },
      });
      const mfa = await startMfaService();
      const policy = await startServiceUnderTest(PolicyModule);
      services.push(identity, mfa, policy);
      const admin = { userId: operator.id, orgId: operator.orgId };

      // Identity: a user's life, with a session, a lock and an unlock.
      const password = 'a long enough first password';
      const ada = await identity.ok(IdentityRpc.registerUser, {
        orgId: operator.orgId,
        email: 'ada@example.com',
        password,
        roles: ['accounting'],
        registeredBy: operator.id,
      });
      await identity.call(IdentityRpc.verifyCredentials, signInRequest('ada@example.com', 'not the password'));
      await identity.ok(IdentityRpc.verifyCredentials, signInRequest('ada@example.com', password));
      await identity.ok(IdentityRpc.changeRoles, {
        userId: ada.id,
        roles: ['accounting', 'billing'],
        changedBy: admin,
      });
      identity.clock.advanceSeconds(1);
      const { sessionId, refreshTokenHash } = mintRefreshToken();
      const session = await identity.ok(SessionRpc.startSession, {
        sessionId,
        refreshTokenHash,
        userId: ada.id,
        amr: ['pwd'],
        authenticatedAt: identity.clock.now().toISOString(),
        context: SIGN_IN_CONTEXT,
      });
      await identity.ok(SessionRpc.revokeSession, { userId: ada.id, sessionId: session.sessionId });
      const changed = 'a long enough second password';
      await identity.ok(IdentityRpc.changePassword, {
        userId: ada.id,
        currentPassword: password,
        newPassword: changed,
        context: SIGN_IN_CONTEXT,
      });
      await identity.ok(IdentityRpc.setPassword, {
        userId: ada.id,
        password: 'a long enough third password',
        setBy: admin,
      });
      await identity.call(IdentityRpc.verifyCredentials, signInRequest('ada@example.com', 'wrong once'));
      await identity.call(IdentityRpc.verifyCredentials, signInRequest('ada@example.com', 'wrong twice'));
      await identity.ok(IdentityRpc.unlockUser, { userId: ada.id, reason: 'called the help desk', unlockedBy: admin });

      // MFA: set up, a wrong code and a right one, a recovery code, an admin reset.
      const { secret, activationStep, recoveryCodes } = await activeUser(mfa, ada.id, 'ada@example.com');
      mfa.clock.advanceSeconds(30);
      const step = currentStep(mfa);
      const challenge = { userId: ada.id, context: CONTEXT };
      await mfa.call(MfaRpc.verifyChallenge, {
        ...challenge,
        code: wrongCode(secret, [activationStep - 1, activationStep, step - 1, step, step + 1]),
        challengeId: randomUUID(),
      });
      await mfa.ok(MfaRpc.verifyChallenge, { ...challenge, code: appCode(secret, step), challengeId: randomUUID() });
      await mfa.ok(MfaRpc.verifyRecoveryCode, {
        ...challenge,
        recoveryCode: recoveryCodes[0],
        challengeId: randomUUID(),
      });
      await mfa.ok(MfaRpc.reset, { userId: ada.id, adminId: operator.id, reason: 'phone lost' });

      // Policy: an allow-list and an MFA requirement.
      await policy.ok(PolicyRpc.setIpAllowlist, {
        orgId: operator.orgId,
        cidrs: ['203.0.113.0/24'],
        setBy: operator.id,
      });
      await policy.ok(PolicyRpc.setMfaRequirement, {
        orgId: operator.orgId,
        requiredForAll: false,
        requiredForRoles: ['accounting'],
        setBy: operator.id,
      });

      const deadline = Date.now() + 10_000;
      while (Object.keys(INTEGRATION_EVENT_CONTRACTS).some((type) => !readings.has(type)) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }, 60_000);

    afterAll(async () => {
      await subscriber.close();
      for (const service of services) await service.close({ removeData: true });
    });

    it.each(Object.keys(INTEGRATION_EVENT_CONTRACTS))('%s arrives, and as its contract says', (type) => {
      const read = readings.get(type) ?? [];
      expect(read.length, `no ${type} published`).toBeGreaterThan(0);
      for (const reading of read) expect(reading).toMatchObject({ outcome: 'known', event: { type } });
    });

    it('publishes nothing without a contract, and refuses nothing on the way out', () => {
      expect([...readings.keys()].filter((type) => !Object.hasOwn(INTEGRATION_EVENT_CONTRACTS, type))).toEqual([]);
      for (const service of services) expect(service.logs()).not.toMatch(/breaks its contract/);
    });
  },
);
