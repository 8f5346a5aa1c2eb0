import { eventCodec } from '#event-store';
import type { UserSessionsEvent } from './user-sessions.events.js';

export const userSessionsEventCodec = eventCodec<UserSessionsEvent>({
  currentVersions: { UserSessionListed: 1, UserSessionsRevoked: 1 },
});
