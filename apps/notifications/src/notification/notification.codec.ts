import { eventCodec } from '#event-store';
import type { NotificationEvent } from './notification.events.js';

export const notificationCodec = eventCodec<NotificationEvent>({
  currentVersions: {
    NotificationAttempted: 1,
    NotificationSent: 1,
    NotificationAttemptFailed: 1,
    NotificationParked: 1,
    NotificationDeadLettered: 1,
  },
});
