import { pickFields, type PublishableField, type PublishedAggregate } from '#messaging';
import { organisationEventCodec } from './organisation.codec.js';
import type { OrganisationCreated, OrganisationEvent } from './organisation.events.js';

/** An allow-list, so a field added to the event later stays private until it is listed here. */
const PUBLISHED_FIELDS = {
  OrganisationCreated: ['orgId', 'name', 'createdAt', 'createdBy', 'bootstrap'],
} as const satisfies { OrganisationCreated: ReadonlyArray<PublishableField<OrganisationCreated>> };

/** What of an organisation's events other services may see on `auth.identity.events`. */
export const publishedOrganisation: PublishedAggregate<OrganisationEvent> = {
  streamPrefix: 'org-',
  idKey: 'orgId',
  codec: organisationEventCodec,
  publicForms: {
    OrganisationCreated: ({ data }) => ({ data: pickFields(data, PUBLISHED_FIELDS.OrganisationCreated) }),
  },
};
