import { describe, expect, it } from 'vitest';
import { NotAllowedToCreateOrganisations, assertMayCreateOrganisations } from './organisation-creation-right.js';
import {
  InvalidOrganisationName,
  OrganisationAlreadyExists,
  normaliseOrganisationName,
  organisationDecider,
  organisationStream,
  type OrganisationCommand,
  type OrganisationCreated,
  type OrganisationEvent,
} from './organisation.decider.js';

const stateAfter = (...events: OrganisationEvent[]) =>
  events.reduce(organisationDecider.evolve, organisationDecider.initialState());
const given = (...events: OrganisationEvent[]) => ({
  when: (command: OrganisationCommand) => organisationDecider.decide(command, stateAfter(...events)),
});

const now = new Date('2025-03-01T10:00:00.000Z');
const createTenant: OrganisationCommand = {
  type: 'CreateOrganisation',
  data: { orgId: 'o2', name: '  Müller   & Partner ', bootstrap: false, createdBy: 'u-operator', now },
};
const bootstrapCreated: OrganisationCreated = {
  type: 'OrganisationCreated',
  data: { schemaVersion: 1, orgId: 'o1', name: 'Operator', createdAt: now.toISOString(), bootstrap: true },
};

describe('Organisation decider', () => {
  it('names the stream after the organisation', () => {
    expect(organisationStream('o1')).toBe('org-o1');
  });

  it('creates the bootstrap organisation without a creator', () => {
    const events = given().when({
      type: 'CreateOrganisation',
      data: { orgId: 'o1', name: 'Operator', bootstrap: true, now },
    });
    expect(events).toEqual([bootstrapCreated]);
    expect(events[0]?.data).not.toHaveProperty('createdBy');
  });

  it('creates a tenant organisation with its creator and a normalised name', () => {
    expect(given().when(createTenant)).toEqual([
      {
        type: 'OrganisationCreated',
        data: {
          schemaVersion: 1,
          orgId: 'o2',
          name: 'Müller & Partner',
          createdAt: '2025-03-01T10:00:00.000Z',
          createdBy: 'u-operator',
          bootstrap: false,
        },
      },
    ]);
  });

  it('refuses an existing organisation id', () => {
    expect(() => given(bootstrapCreated).when(createTenant)).toThrow(OrganisationAlreadyExists);
  });

  it('refuses empty, overlong and control-character names', () => {
    expect(() => normaliseOrganisationName('   ')).toThrow(InvalidOrganisationName);
    expect(() => normaliseOrganisationName('x'.repeat(201))).toThrow(InvalidOrganisationName);
    expect(normaliseOrganisationName('ü'.repeat(200))).toHaveLength(200);
    expect(() => normaliseOrganisationName('Acme\u0000Corp')).toThrow(InvalidOrganisationName);
  });

  it('evolves into a created state that remembers the bootstrap flag', () => {
    expect(stateAfter(bootstrapCreated)).toEqual({ status: 'created', orgId: 'o1', name: 'Operator', bootstrap: true });
  });
});

describe('assertMayCreateOrganisations', () => {
  const tenantCreated: OrganisationCreated = {
    type: 'OrganisationCreated',
    data: {
      schemaVersion: 1,
      orgId: 'o2',
      name: 'Tenant',
      createdAt: now.toISOString(),
      createdBy: 'u',
      bootstrap: false,
    },
  };

  it('lets admins of the bootstrap organisation create organisations', () => {
    expect(() => assertMayCreateOrganisations({ roles: ['admin'] }, stateAfter(bootstrapCreated))).not.toThrow();
  });

  it.each([
    ['a non-admin of the bootstrap organisation', ['accounting'], stateAfter(bootstrapCreated)],
    ['an admin of a tenant organisation', ['admin'], stateAfter(tenantCreated)],
    ['an actor whose organisation does not exist', ['admin'], stateAfter()],
  ])('refuses %s with forbidden', (_, roles, organisation) => {
    expect(() => assertMayCreateOrganisations({ roles }, organisation)).toThrow(NotAllowedToCreateOrganisations);
    expect(() => assertMayCreateOrganisations({ roles }, organisation)).toThrow(
      expect.objectContaining({ code: 'forbidden' }),
    );
  });
});
