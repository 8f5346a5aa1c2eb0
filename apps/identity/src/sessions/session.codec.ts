import { eventCodec } from '#event-store';
import type { SessionEvent } from './session.events.js';

export const sessionEventCodec = eventCodec<SessionEvent>({
  currentVersions: { SessionStarted: 1, SessionRefreshed: 1, SessionRevoked: 1 },
});
