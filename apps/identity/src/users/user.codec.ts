import { eventCodec } from '#event-store';
import type { UserEvent } from './user.events.js';

export const userEventCodec = eventCodec<UserEvent>({
  currentVersions: { UserRegistered: 1, UserRolesChanged: 1, UserPasswordChanged: 1 },
});
