import { eventCodec } from '#event-store';
import type { InstallationEvent } from './installation.events.js';

export const installationEventCodec = eventCodec<InstallationEvent>({
  currentVersions: { InstallationBootstrapped: 1 },
});
