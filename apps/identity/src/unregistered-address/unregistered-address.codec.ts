import { eventCodec } from '#event-store';
import type { UnregisteredAddressEvent } from './unregistered-address.events.js';

export const unregisteredAddressEventCodec = eventCodec<UnregisteredAddressEvent>({
  currentVersions: { PasswordCheckFailed: 1, AddressLocked: 1 },
});
