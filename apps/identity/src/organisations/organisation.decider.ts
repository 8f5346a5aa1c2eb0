import { DomainError } from '#contracts';
import type { Decider } from '#event-store';

export const organisationStream = (orgId: string): string => `org-${orgId}`;

export const MAX_ORGANISATION_NAME_LENGTH = 200;
const CONTROL_CHARACTER = /\p{Cc}/u;

/**
 * `bootstrap` marks the first organisation, created at first start from the
 * environment; it operates the installation and its admins may create the
 * other organisations (tenants). It has no `createdBy`; every other one has.
 */
export type OrganisationCreated = {
  readonly type: 'OrganisationCreated';
  readonly data: {
    readonly schemaVersion: 1;
    readonly orgId: string;
    readonly name: string;
    readonly createdAt: string;
    readonly createdBy?: string;
    readonly bootstrap: boolean;
  };
};

export type OrganisationEvent = OrganisationCreated;

export type CreateOrganisation = {
  readonly type: 'CreateOrganisation';
  readonly data: { readonly orgId: string; readonly name: string; readonly now: Date } & (
    { readonly bootstrap: true } | { readonly bootstrap: false; readonly createdBy: string }
  );
};

export type OrganisationCommand = CreateOrganisation;

export type OrganisationState =
  | { readonly status: 'none' }
  | { readonly status: 'created'; readonly orgId: string; readonly name: string; readonly bootstrap: boolean };

export class InvalidOrganisationName extends DomainError {
  constructor(reason: string) {
    super('validation_failed', `organisation name ${reason}`, { field: 'name' });
  }
}

/** Organisation ids are generated per creation, so meeting an existing one is a defect. */
export class OrganisationAlreadyExists extends DomainError {
  constructor() {
    super('internal_error', 'organisation id already in use');
  }
}

/** Trimmed, NFC, inner runs of whitespace collapsed to one space. */
export function normaliseOrganisationName(raw: string): string {
  const name = raw.normalize('NFC').trim().replace(/\s+/gu, ' ');
  if (name.length === 0) throw new InvalidOrganisationName('is empty');
  if ([...name].length > MAX_ORGANISATION_NAME_LENGTH) {
    throw new InvalidOrganisationName(`is longer than ${MAX_ORGANISATION_NAME_LENGTH} characters`);
  }
  if (CONTROL_CHARACTER.test(name)) throw new InvalidOrganisationName('contains control characters');
  return name;
}

export const organisationDecider = {
  initialState: (): OrganisationState => ({ status: 'none' }),

  decide(command: OrganisationCommand, state: OrganisationState): OrganisationEvent[] {
    switch (command.type) {
      case 'CreateOrganisation': {
        if (state.status === 'created') throw new OrganisationAlreadyExists();
        const { orgId, now } = command.data;
        const name = normaliseOrganisationName(command.data.name);
        const createdAt = now.toISOString();
        return [
          {
            type: 'OrganisationCreated',
            data: command.data.bootstrap
              ? { schemaVersion: 1, orgId, name, createdAt, bootstrap: true }
              : { schemaVersion: 1, orgId, name, createdAt, createdBy: command.data.createdBy, bootstrap: false },
          },
        ];
      }
      default: {
        const unknown: never = command.type;
        throw new Error(`unknown command ${String(unknown)}`);
      }
    }
  },

  evolve(state: OrganisationState, event: OrganisationEvent): OrganisationState {
    switch (event.type) {
      case 'OrganisationCreated': {
        const { orgId, name, bootstrap } = event.data;
        return { status: 'created', orgId, name, bootstrap };
      }
      default: {
        const unknown: never = event.type;
        throw new Error(`unknown event ${String(unknown)}`);
      }
    }
  },
} satisfies Decider<OrganisationCommand, OrganisationEvent, OrganisationState>;
