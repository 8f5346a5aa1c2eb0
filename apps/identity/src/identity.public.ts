import { integrationEventsOf } from '#messaging';
import { publishedOrganisation } from './organisations/organisation.public.js';
import { publishedUser } from './users/user.public.js';

/**
 * What the relay publishes on `auth.identity.events`: users' and
 * organisations' events in their public forms. Email reservations and the
 * installation record are identity's own and never leave it.
 */
export const identityIntegrationEvent = integrationEventsOf(publishedUser, publishedOrganisation);
