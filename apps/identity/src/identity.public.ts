import { integrationEventsOf } from '#messaging';
import { publishedOrganisation } from './organisations/organisation.public.js';
import { publishedSession } from './sessions/session.public.js';
import { publishedUser } from './users/user.public.js';

/**
 * What the relay publishes on `auth.identity.events`: users', organisations'
 * and sessions' events in their public forms. Email reservations, the
 * installation record and the index of each user's sessions are identity's
 * own and never leave it.
 */
export const identityIntegrationEvent = integrationEventsOf(publishedUser, publishedOrganisation, publishedSession);
