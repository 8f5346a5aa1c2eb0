import { Logger, type Provider } from '@nestjs/common';
import { CONFIG, type MfaConfig } from '#config';
import { SecretCipher } from '../totp/secret-cipher.js';
import { developmentKeyWarning, resolveSecretCipher } from './encryption-key-ring.js';

/** The `SecretCipher` of the configured key ring, with one warning at start when it is a development key. */
export const secretCipherProvider: Provider = {
  provide: SecretCipher,
  inject: [CONFIG],
  useFactory: (config: MfaConfig): SecretCipher => {
    const { cipher, source } = resolveSecretCipher(config);
    const warning = developmentKeyWarning(source, cipher.currentKeyId);
    if (warning) new Logger('MfaEncryptionKey').warn(warning);
    return cipher;
  },
};
