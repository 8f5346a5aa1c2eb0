import { Logger, type Provider } from '@nestjs/common';
import { loadSealingKeyRing, type SealingService } from './sealing-keys.js';

export const SEALING_KEY_RING = Symbol('SEALING_KEY_RING');

/**
 * The private keys the fields sealed to `service` open with (its
 * `<SERVICE>_SEALING_*` settings); one warning at start for a development key.
 */
export function sealingKeyRingProvider(
  service: SealingService,
  keys: Parameters<typeof loadSealingKeyRing>[1],
): Provider {
  return {
    provide: SEALING_KEY_RING,
    useFactory: () => {
      const { ring, developmentKeyFile } = loadSealingKeyRing(service, keys);
      if (developmentKeyFile) {
        new Logger('SealingKeys').warn(
          `${service.toUpperCase()}_SEALING_PRIVATE_KEY is not set: fields sealed to ${service} open with the development key in ${developmentKeyFile} (key id ${ring.current.kid})`,
        );
      }
      return ring;
    },
  };
}
