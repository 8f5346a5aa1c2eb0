import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestingModule } from '@nestjs/testing';
import type { UserView } from '#contracts';
import { EVENT_STORE, type EventStore } from '#event-store';
import { VerifyCredentialsController } from '../credentials/verify-credentials.controller.js';
import {
  OPERATOR,
  OPERATOR_ENV,
  allEvents,
  countByType,
  startIdentity,
  temporaryDataDir,
} from '../identity.testing.js';
import { RegisterUserController } from '../registration/register-user.controller.js';
import { CreateOrganisationController } from './create-organisation.controller.js';

describe('identity.create-organisation', () => {
  let dataDir: ReturnType<typeof temporaryDataDir>;
  let identity: TestingModule;
  let organisations: CreateOrganisationController;
  let credentials: VerifyCredentialsController;
  let operator: UserView;

  const request = (requestedBy: UserView, overrides: Record<string, unknown> = {}) => ({
    name: '  Smith   & Partners ',
    adminEmail: 'boss@smith.example',
    adminPassword: 'boss long password',
    requestedBy: { userId: requestedBy.id, orgId: requestedBy.orgId },
    ...overrides,
  });

  const signIn = async (email: string, password: string): Promise<UserView> => {
    const result = await credentials.verifyCredentials({ email, password });
    if (!result.ok) throw new Error(`${email}: ${result.error.code}`);
    return result.value;
  };

  beforeEach(async () => {
    dataDir = temporaryDataDir();
    identity = await startIdentity(dataDir.path, { env: OPERATOR_ENV });
    organisations = identity.get(CreateOrganisationController);
    credentials = identity.get(VerifyCredentialsController);
    operator = await signIn(OPERATOR.email, OPERATOR.password);
  });

  afterEach(async () => {
    await identity.close();
    dataDir.remove();
  });

  it('lets an admin of the bootstrap organisation create a tenant with its first admin', async () => {
    const created = await organisations.createOrganisation(request(operator));
    expect(created).toEqual({
      ok: true,
      value: { id: expect.any(String), name: 'Smith & Partners', adminId: expect.any(String) },
    });
    if (!created.ok) return;
    expect(await signIn('boss@smith.example', 'boss long password')).toEqual({
      id: created.value.adminId,
      email: 'boss@smith.example',
      orgId: created.value.id,
      roles: ['admin'],
    });
    const [event] = await identity.get<EventStore>(EVENT_STORE).read(`org-${created.value.id}`);
    expect(event?.data).toMatchObject({ bootstrap: false, createdBy: operator.id, name: 'Smith & Partners' });
  });

  it("refuses the tenant's own admin: only the operating organisation creates organisations", async () => {
    const created = await organisations.createOrganisation(request(operator));
    if (!created.ok) throw new Error(created.error.code);
    const tenantAdmin = await signIn('boss@smith.example', 'boss long password');
    expect(await organisations.createOrganisation(request(tenantAdmin, { adminEmail: 'other@x.example' }))).toEqual({
      ok: false,
      error: {
        code: 'forbidden',
        message: 'only administrators of the operating organisation may create organisations',
      },
    });
  });

  it('refuses a member of the operating organisation who is not an admin', async () => {
    const registered = await identity.get(RegisterUserController).registerUser({
      orgId: operator.orgId,
      email: 'clerk@operator.example',
      password: 'clerk long password',
      roles: ['billing'],
      registeredBy: operator.id,
    });
    if (!registered.ok) throw new Error(registered.error.code);
    expect(await organisations.createOrganisation(request(registered.value))).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
  });

  it('refuses an actor whose claimed organisation is not theirs, or who does not exist', async () => {
    expect(await organisations.createOrganisation(request({ ...operator, orgId: 'some-other-org' }))).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(await organisations.createOrganisation(request({ ...operator, id: 'ghost' }))).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
  });

  it('creates no organisation when the admin address is taken or the password weak', async () => {
    expect(await organisations.createOrganisation(request(operator, { adminEmail: OPERATOR.email }))).toMatchObject({
      ok: false,
      error: { code: 'email_taken' },
    });
    expect(await organisations.createOrganisation(request(operator, { adminPassword: 'short' }))).toMatchObject({
      ok: false,
      error: { code: 'weak_password' },
    });
    expect(countByType(await allEvents(identity), 'OrganisationCreated')).toBe(1); // the bootstrap one
  });

  it('answers invalid_payload without an actor', async () => {
    const { requestedBy: _omitted, ...withoutActor } = request(operator);
    expect(await organisations.createOrganisation(withoutActor)).toMatchObject({
      ok: false,
      error: { code: 'invalid_payload' },
    });
  });
});
