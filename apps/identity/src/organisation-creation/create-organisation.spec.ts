import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IdentityRpc, type UserView } from '#contracts';
import type { ServiceUnderTest } from '#testing';
import { OPERATOR, allEvents, countByType, signInRequest, startIdentityWithOperator } from '../identity.testing.js';

describe('identity.create-organisation', () => {
  let identity: ServiceUnderTest;
  let operator: UserView;

  const request = (requestedBy: UserView, overrides: Record<string, unknown> = {}) => ({
    name: '  Smith   & Partners ',
    adminEmail: 'boss@smith.example',
    adminPassword: 'boss long password',
    requestedBy: { userId: requestedBy.id, orgId: requestedBy.orgId },
    ...overrides,
  });
  const createOrganisation = (payload: unknown) => identity.call(IdentityRpc.createOrganisation, payload);
  const signIn = async (email: string, password: string): Promise<UserView> => {
    const { passwordChangeRequired: _, ...user } = await identity.ok(
      IdentityRpc.verifyCredentials,
      signInRequest(email, password),
    );
    return user;
  };

  beforeEach(async () => {
    ({ identity, operator } = await startIdentityWithOperator());
  });

  afterEach(async () => {
    await identity.close({ removeData: true });
  });

  it('lets an admin of the bootstrap organisation create a tenant with its first admin', async () => {
    const created = await createOrganisation(request(operator));
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
    // The operator chose the tenant admin's password: it must be changed at the first sign-in.
    expect(
      await identity.ok(IdentityRpc.verifyCredentials, signInRequest('boss@smith.example', 'boss long password')),
    ).toMatchObject({ passwordChangeRequired: true });
    const [event] = await identity.store.read(`org-${created.value.id}`);
    expect(event?.data).toMatchObject({ bootstrap: false, createdBy: operator.id, name: 'Smith & Partners' });
  });

  it("refuses the tenant's own admin: only the operating organisation creates organisations", async () => {
    await identity.ok(IdentityRpc.createOrganisation, request(operator));
    const tenantAdmin = await signIn('boss@smith.example', 'boss long password');
    expect(await createOrganisation(request(tenantAdmin, { adminEmail: 'other@x.example' }))).toEqual({
      ok: false,
      error: {
        code: 'forbidden',
        message: 'only administrators of the operating organisation may create organisations',
      },
    });
  });

  it('refuses a member of the operating organisation who is not an admin', async () => {
    const clerk = await identity.ok(IdentityRpc.registerUser, {
      orgId: operator.orgId,
      email: 'clerk@operator.example',
      password: 'clerk long password',
      roles: ['billing'],
      registeredBy: operator.id,
    });
    expect(await createOrganisation(request(clerk))).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
  });

  it('refuses an actor whose claimed organisation is not theirs, or who does not exist', async () => {
    expect(await createOrganisation(request({ ...operator, orgId: 'some-other-org' }))).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(await createOrganisation(request({ ...operator, id: 'ghost' }))).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
  });

  it('creates no organisation when the admin address is taken or the password weak', async () => {
    expect(await createOrganisation(request(operator, { adminEmail: OPERATOR.email }))).toMatchObject({
      ok: false,
      error: { code: 'email_taken' },
    });
    expect(await createOrganisation(request(operator, { adminPassword: 'short' }))).toMatchObject({
      ok: false,
      error: { code: 'weak_password' },
    });
    expect(countByType(await allEvents(identity.store), 'OrganisationCreated')).toBe(1); // the bootstrap one
  });

  it('answers invalid_payload without an actor', async () => {
    const { requestedBy: _omitted, ...withoutActor } = request(operator);
    expect(await createOrganisation(withoutActor)).toMatchObject({
      ok: false,
      error: { code: 'invalid_payload' },
    });
  });
});
