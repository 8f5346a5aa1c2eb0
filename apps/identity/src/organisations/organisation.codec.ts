import { eventCodec } from '#event-store';
import type { OrganisationEvent } from './organisation.events.js';

export const organisationEventCodec = eventCodec<OrganisationEvent>({
  currentVersions: { OrganisationCreated: 1 },
});
