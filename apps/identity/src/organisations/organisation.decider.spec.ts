import { describe, expect, it } from 'vitest';
import { deciderSpec } from '#testing';
import { assertMayCreateOrganisations } from './organisation-creation-right.js';
import type { OrganisationCommand } from './organisation.commands.js';
import { normaliseOrganisationName, organisationDecider, type OrganisationState } from './organisation.decider.js';
import {
  InvalidOrganisationName,
  NotAllowedToCreateOrganisations,
  OrganisationAlreadyExists,
} from './organisation.errors.js';
import { organisationStream, type OrganisationCreated, type OrganisationEvent } from './organisation.events.js';

const { given } = deciderSpec(organisationDecider);
const stateAfter = (...events: OrganisationEvent[]): OrganisationState =>
  events.reduce(organisationDecider.evolve, organisationDecider.initialState());

const now = new Date('2025-03-01T10:00:00.000Z');
const createTenant: OrganisationCommand = {
  type: 'CreateOrganisation',
  data: { orgId: 'o2', name: '  Müller   & Partner ', bootstrap: false, createdBy: 'u-operator', now },
};
const bootstrapCreated: OrganisationCreated = {
  type: 'OrganisationCreated',
  data: { orgId: 'o1', name: 'Operator', createdAt: now.toISOString(), bootstrap: true },
};

describe('Organisation decider', () => {
  it('names the stream after the organisation', () => {
    expect(organisationStream('o1')).toBe('org-o1');
  });

  it('creates the bootstrap organisation without a creator', () => {
    const scenario = given().when({
      type: 'CreateOrganisation',
      data: { orgId: 'o1', name: 'Operator', bootstrap: true, now },
    });
    scenario.then([bootstrapCreated]);
    expect(scenario.events()[0]?.data).not.toHaveProperty('createdBy');
  });

  it('creates a tenant organisation with its creator and a normalised name', () => {
    given()
      .when(createTenant)
      .then([
        {
          type: 'OrganisationCreated',
          data: {
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
    given(bootstrapCreated).when(createTenant).thenThrows(OrganisationAlreadyExists);
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
    data: { orgId: 'o2', name: 'Tenant', createdAt: now.toISOString(), createdBy: 'u', bootstrap: false },
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
