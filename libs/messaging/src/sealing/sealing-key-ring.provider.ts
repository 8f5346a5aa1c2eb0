import { Logger, type Provider } from '@nestjs/common';
import { CONFIG, type Config } from '#config';
import { loadSealingKeyRing, type SealingService } from './sealing-keys.js';

export const SEALING_KEY_RING = Symbol('SEALING_KEY_RING');

const KEYS = {
  identity: ['IDENTITY_SEALING_PRIVATE_KEY', 'IDENTITY_SEALING_PREVIOUS_PRIVATE_KEYS'],
  mfa: ['MFA_SEALING_PRIVATE_KEY', 'MFA_SEALING_PREVIOUS_PRIVATE_KEYS'],
} as const satisfies Record<SealingService, readonly [keyof Config, keyof Config]>;

/** The private keys the fields sealed to `service` open with; one warning at start for a development key. */
export function sealingKeyRingProvider(service: SealingService): Provider {
  return {
    provide: SEALING_KEY_RING,
    inject: [CONFIG],
    useFactory: (config: Config) => {
      const [current, previous] = KEYS[service];
      const { ring, developmentKeyFile } = loadSealingKeyRing(service, {
        privateKey: config[current],
        previous: config[previous],
        dataDir: config.DATA_DIR,
      });
      if (developmentKeyFile) {
        new Logger('SealingKeys').warn(
          `${current} is not set: fields sealed to ${service} open with the development key in ${developmentKeyFile} (key id ${ring.current.kid})`,
        );
      }
      return ring;
    },
  };
}
