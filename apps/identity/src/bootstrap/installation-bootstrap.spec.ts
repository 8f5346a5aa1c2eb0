import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { IdentityRpc } from '#contracts';
import { startServiceUnderTest, type ServiceUnderTest } from '#testing';
import { IdentityModule } from '../identity.module.js';
import { OPERATOR, OPERATOR_ENV, allEvents, countByType, signInRequest } from '../identity.testing.js';
import { InstallationBootstrapProcess } from './installation-bootstrap.process.js';

describe('installation bootstrap', () => {
  const running: ServiceUnderTest[] = [];
  const dataDirs = new Set<string>();

  const start = async (env: Record<string, string> = OPERATOR_ENV, dataDir?: string, now?: Date) => {
    const identity = await startServiceUnderTest(IdentityModule, { env, dataDir, now });
    running.push(identity);
    dataDirs.add(identity.dataDir);
    return identity;
  };
  const stop = async (identity: ServiceUnderTest) => {
    running.splice(running.indexOf(identity), 1);
    await identity.close();
  };
  /** A store that exists and was never bootstrapped, for instances that share it. */
  const emptyStore = async (): Promise<string> => {
    const identity = await start({});
    await stop(identity);
    return identity.dataDir;
  };
  const signIn = (identity: ServiceUnderTest, password: string = OPERATOR.password) =>
    identity.call(IdentityRpc.verifyCredentials, signInRequest(OPERATOR.email, password));
  const linesWith = (instances: ServiceUnderTest[], text: string) =>
    instances.flatMap((identity) => identity.logger.lines).filter((line) => line.includes(text));
  const expectOneOrganisationAndAdmin = async (identity: ServiceUnderTest) => {
    const events = await allEvents(identity.store);
    expect(countByType(events, 'InstallationBootstrapped')).toBe(1);
    expect(countByType(events, 'OrganisationCreated')).toBe(1);
    expect(countByType(events, 'EmailReserved')).toBe(1);
    expect(countByType(events, 'UserRegistered')).toBe(1);
    return events;
  };

  afterEach(async () => {
    for (const identity of running.splice(0)) await identity.close();
    for (const dataDir of dataDirs) rmSync(dataDir, { recursive: true, force: true });
    dataDirs.clear();
  });

  it('creates the operating organisation and its admin on the first start, at the time of the clock', async () => {
    const identity = await start(OPERATOR_ENV, undefined, new Date('2030-01-02T03:04:05.000Z'));
    const signedIn = await signIn(identity);
    expect(signedIn).toMatchObject({ ok: true, value: { email: OPERATOR.email, roles: ['admin'] } });
    const events = await expectOneOrganisationAndAdmin(identity);
    const organisation = events.find((event) => event.type === 'OrganisationCreated');
    expect(organisation?.data).toMatchObject({ bootstrap: true, name: 'Operator' });
    expect(signedIn.ok && signedIn.value.orgId).toBe(organisation?.data['orgId']);
    expect(linesWith([identity], 'bootstrapped the installation')).toHaveLength(1);
    const recordedTimes = events.map(({ data }) => data['bootstrappedAt'] ?? data['createdAt'] ?? data['registeredAt']);
    expect(recordedTimes.filter((time) => time !== undefined)).toEqual([
      '2030-01-02T03:04:05.000Z',
      '2030-01-02T03:04:05.000Z',
      '2030-01-02T03:04:05.000Z',
    ]);
  });

  it('does nothing without BOOTSTRAP_ADMIN_EMAIL/PASSWORD', async () => {
    const identity = await start({});
    const events = await allEvents(identity.store);
    expect(countByType(events, 'InstallationBootstrapped') + countByType(events, 'OrganisationCreated')).toBe(0);
  });

  it('is done once: a restart with another password neither duplicates nor resets anything', async () => {
    const first = await start();
    await stop(first);
    const restarted = await start(
      { ...OPERATOR_ENV, BOOTSTRAP_ADMIN_PASSWORD: 'a changed long password' },
      first.dataDir,
    );
    await expectOneOrganisationAndAdmin(restarted);
    expect(await signIn(restarted)).toMatchObject({ ok: true });
    expect(await signIn(restarted, 'a changed long password')).toMatchObject({
      ok: false,
      error: { code: 'invalid_credentials' },
    });
    expect(linesWith([first, restarted], 'bootstrap already done')).toHaveLength(1);
    const logs = [first.logs(), restarted.logs()].join('\n');
    expect(logs).not.toContain(OPERATOR.password);
    expect(logs).not.toContain('a changed long password');
  });

  it('is done once when two instances start at the same moment on one store', async () => {
    const dataDir = await emptyStore();
    const [first, second] = await Promise.all([start(OPERATOR_ENV, dataDir), start(OPERATOR_ENV, dataDir)]);
    await expectOneOrganisationAndAdmin(first);
    expect(await signIn(first)).toEqual(await signIn(second));
    expect(linesWith([first, second], 'bootstrapped the installation')).toHaveLength(1);
  });

  it('is done once when two bootstraps race step by step', async () => {
    const dataDir = await emptyStore();
    const [first, second] = [await start({}, dataDir), await start({}, dataDir)];
    await Promise.all(
      [first, second].map((identity) =>
        identity.get(InstallationBootstrapProcess).run(OPERATOR.email, OPERATOR.password),
      ),
    );
    await expectOneOrganisationAndAdmin(first);
    expect(await signIn(first)).toMatchObject({ ok: true });
  });

  it('completes a bootstrap interrupted after its ids were chosen', async () => {
    const crashed = await start({});
    const ids = { orgId: 'operator-org', adminId: 'first-admin' };
    await crashed.store.append(
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
            bootstrappedAt: crashed.clock.now().toISOString(),
          },
        },
      ],
      'no_stream',
    );
    await stop(crashed);

    const restarted = await start(OPERATOR_ENV, crashed.dataDir);
    await expectOneOrganisationAndAdmin(restarted);
    expect(await signIn(restarted)).toMatchObject({ ok: true, value: { id: ids.adminId, orgId: ids.orgId } });
    expect(linesWith([restarted], 'completed an interrupted bootstrap')).toHaveLength(1);
  });

  it('refuses to start with a weak or common password, naming the variable, writing nothing', async () => {
    const dataDir = await emptyStore();
    await expect(start({ ...OPERATOR_ENV, BOOTSTRAP_ADMIN_PASSWORD: 'short' }, dataDir)).rejects.toThrow(
      'BOOTSTRAP_ADMIN_PASSWORD: password must be at least 12 characters long',
    );
    await expect(start({ ...OPERATOR_ENV, BOOTSTRAP_ADMIN_PASSWORD: 'password1234' }, dataDir)).rejects.toThrow(
      'BOOTSTRAP_ADMIN_PASSWORD: this password is on a list of common or breached passwords',
    );
    await expect(start({ ...OPERATOR_ENV, BOOTSTRAP_ADMIN_EMAIL: 'not-an-address' }, dataDir)).rejects.toThrow(
      'BOOTSTRAP_ADMIN_EMAIL is not a valid email address',
    );
    const identity = await start({}, dataDir);
    expect(countByType(await allEvents(identity.store), 'InstallationBootstrapped')).toBe(0);
  });
});
