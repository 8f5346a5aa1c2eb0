import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestingModule } from '@nestjs/testing';
import { EVENT_STORE, type EventStore } from '#event-store';
import { VerifyCredentialsController } from '../credentials/verify-credentials.controller.js';
import {
  CollectingLogger,
  OPERATOR,
  OPERATOR_ENV,
  allEvents,
  countByType,
  startIdentity,
  temporaryDataDir,
} from '../identity.testing.js';
import { InstallationBootstrap } from './installation-bootstrap.js';

describe('installation bootstrap', () => {
  let dataDir: ReturnType<typeof temporaryDataDir>;
  let logger: CollectingLogger;
  const running: TestingModule[] = [];

  const start = async (env: Record<string, string> = OPERATOR_ENV, init = true) => {
    const identity = await startIdentity(dataDir.path, { env, logger, init });
    running.push(identity);
    return identity;
  };
  const signIn = (identity: TestingModule, password: string = OPERATOR.password) =>
    identity.get(VerifyCredentialsController).verifyCredentials({ email: OPERATOR.email, password });
  const expectOneOrganisationAndAdmin = async (identity: TestingModule) => {
    const events = await allEvents(identity);
    expect(countByType(events, 'InstallationBootstrapped')).toBe(1);
    expect(countByType(events, 'OrganisationCreated')).toBe(1);
    expect(countByType(events, 'EmailReserved')).toBe(1);
    expect(countByType(events, 'UserRegistered')).toBe(1);
    return events;
  };

  beforeEach(() => {
    dataDir = temporaryDataDir();
    logger = new CollectingLogger();
  });

  afterEach(async () => {
    for (const identity of running.splice(0)) await identity.close();
    dataDir.remove();
  });

  it('creates the operating organisation and its admin on the first start', async () => {
    const identity = await start();
    const signedIn = await signIn(identity);
    expect(signedIn).toMatchObject({ ok: true, value: { email: OPERATOR.email, roles: ['admin'] } });
    const events = await expectOneOrganisationAndAdmin(identity);
    const organisation = events.find((event) => event.type === 'OrganisationCreated');
    expect(organisation?.data).toMatchObject({ bootstrap: true, name: 'Operator' });
    expect(signedIn.ok && signedIn.value.orgId).toBe(organisation?.data['orgId']);
    expect(logger.lines.filter((line) => line.includes('bootstrapped the installation'))).toHaveLength(1);
  });

  it('does nothing without BOOTSTRAP_ADMIN_EMAIL/PASSWORD', async () => {
    const identity = await start({});
    const events = await allEvents(identity);
    expect(countByType(events, 'InstallationBootstrapped') + countByType(events, 'OrganisationCreated')).toBe(0);
  });

  it('is done once: a restart with another password neither duplicates nor resets anything', async () => {
    await (await start()).close();
    running.length = 0;
    const restarted = await start({ ...OPERATOR_ENV, BOOTSTRAP_ADMIN_PASSWORD: 'a changed long password' });
    await expectOneOrganisationAndAdmin(restarted);
    expect(await signIn(restarted)).toMatchObject({ ok: true });
    expect(await signIn(restarted, 'a changed long password')).toMatchObject({
      ok: false,
      error: { code: 'invalid_credentials' },
    });
    expect(logger.lines.filter((line) => line.includes('bootstrap already done'))).toHaveLength(1);
    const logs = logger.lines.join('\n');
    expect(logs).not.toContain(OPERATOR.password);
    expect(logs).not.toContain('a changed long password');
  });

  it('is done once when two instances start at the same moment on one store', async () => {
    const [first, second] = [await start(OPERATOR_ENV, false), await start(OPERATOR_ENV, false)];
    await Promise.all([first.init(), second.init()]);
    await expectOneOrganisationAndAdmin(first);
    expect(await signIn(first)).toEqual(await signIn(second));
    expect(logger.lines.filter((line) => line.includes('bootstrapped the installation'))).toHaveLength(1);
  });

  it('is done once when two bootstraps race step by step', async () => {
    const [first, second] = [await start(OPERATOR_ENV, false), await start(OPERATOR_ENV, false)];
    await Promise.all([
      first.get(InstallationBootstrap).bootstrap(OPERATOR.email, OPERATOR.password),
      second.get(InstallationBootstrap).bootstrap(OPERATOR.email, OPERATOR.password),
    ]);
    await first.init();
    await expectOneOrganisationAndAdmin(first);
    expect(await signIn(first)).toMatchObject({ ok: true });
  });

  it('completes a bootstrap interrupted after its ids were chosen', async () => {
    const crashed = await start({});
    const ids = { orgId: 'operator-org', adminId: 'first-admin' };
    await crashed.get<EventStore>(EVENT_STORE).append(
      'installation',
      [
        {
          id: randomUUID(),
          type: 'InstallationBootstrapped',
          data: {
            schemaVersion: 1,
            ...ids,
            organisationName: 'Operator',
            adminEmail: OPERATOR.email,
            bootstrappedAt: new Date().toISOString(),
          },
        },
      ],
      'no_stream',
    );
    await crashed.close();
    running.length = 0;

    const restarted = await start();
    await expectOneOrganisationAndAdmin(restarted);
    expect(await signIn(restarted)).toMatchObject({ ok: true, value: { id: ids.adminId, orgId: ids.orgId } });
    expect(logger.lines.filter((line) => line.includes('completed an interrupted bootstrap'))).toHaveLength(1);
  });

  it('refuses to start with a weak password, naming the variable, writing nothing', async () => {
    await expect(start({ ...OPERATOR_ENV, BOOTSTRAP_ADMIN_PASSWORD: 'short' })).rejects.toThrow(
      'BOOTSTRAP_ADMIN_PASSWORD: password must be at least 12 characters long',
    );
    await expect(start({ ...OPERATOR_ENV, BOOTSTRAP_ADMIN_EMAIL: 'not-an-address' })).rejects.toThrow(
      'BOOTSTRAP_ADMIN_EMAIL is not a valid email address',
    );
    const identity = await start({});
    expect(countByType(await allEvents(identity), 'InstallationBootstrapped')).toBe(0);
  });
});
