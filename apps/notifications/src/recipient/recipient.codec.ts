import { eventCodec } from '#event-store';
import type { RecipientEvent } from './recipient.events.js';

export const recipientCodec = eventCodec<RecipientEvent>({ currentVersions: { RecipientRegistered: 1 } });
