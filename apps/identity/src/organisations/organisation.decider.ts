import { assertNever } from '#contracts';
import type { Decider } from '#event-store';
import type { OrganisationCommand } from './organisation.commands.js';
import { InvalidOrganisationName, OrganisationAlreadyExists } from './organisation.errors.js';
import type { OrganisationEvent } from './organisation.events.js';

export const MAX_ORGANISATION_NAME_LENGTH = 200;
const CONTROL_CHARACTER = /\p{Cc}/u;

export type OrganisationState =
  | { readonly status: 'none' }
  | { readonly status: 'created'; readonly orgId: string; readonly name: string; readonly bootstrap: boolean };

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
              ? { orgId, name, createdAt, bootstrap: true }
              : { orgId, name, createdAt, createdBy: command.data.createdBy, bootstrap: false },
          },
        ];
      }
      default:
        return assertNever(command.type);
    }
  },

  evolve(_state: OrganisationState, event: OrganisationEvent): OrganisationState {
    switch (event.type) {
      case 'OrganisationCreated': {
        const { orgId, name, bootstrap } = event.data;
        return { status: 'created', orgId, name, bootstrap };
      }
      default:
        return assertNever(event.type);
    }
  },
} satisfies Decider<OrganisationCommand, OrganisationEvent, OrganisationState>;
