import { z } from 'zod';
import { checkKafkaConnection, kafkaConnectionFields } from './kafka-config.js';

const flag = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off', ''])
  .transform((value) => ['1', 'true', 'yes', 'on'].includes(value));

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const base64Key = z
  .string()
  .refine((value) => /^[A-Za-z0-9+/]+={0,2}$/.test(value) && Buffer.from(value, 'base64').length === 32, {
    message: 'must be a base64-encoded 32-byte key',
  });

/** Comma-separated base64 keys (earlier keys kept for a rotation); unset: none. */
const base64KeyList = z
  .string()
  .optional()
  .transform(
    (value) =>
      value
        ?.split(',')
        .map((key) => key.trim())
        .filter(Boolean) ?? [],
  )
  .pipe(z.array(base64Key));

/** Every environment variable the system reads, validated once at boot (DESIGN.md, Configuration). */
export const configSchema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().min(1).default('127.0.0.1'),
    ...kafkaConnectionFields,
    KAFKA_REQUEST_TIMEOUT_MS: positiveInt(5000),
    EVENTSTORE_URL: z
      .string()
      .optional()
      .refine(
        (url) => !url || /^(esdb|esdb\+discover|kurrentdb|kurrentdb\+discover|kdb|kdb\+discover):\/\/[^\s]+$/.test(url),
        {
          message: 'must be an esdb:// (or kurrentdb://) connection string',
        },
      ),
    DATA_DIR: z.string().min(1).default('./data'),
    BOOTSTRAP_ADMIN_EMAIL: z.string().optional(),
    BOOTSTRAP_ADMIN_PASSWORD: z.string().optional(),
    MFA_ENCRYPTION_KEY: base64Key.optional(),
    MFA_PREVIOUS_ENCRYPTION_KEYS: base64KeyList,
    MFA_ENROLLMENT_TTL_SECONDS: positiveInt(600),
    TOTP_ISSUER: z.string().min(1).max(100).default('totp-mfa'),
    MFA_MAX_FAILED_ATTEMPTS: positiveInt(5),
    MFA_LOCKOUT_SECONDS: positiveInt(300),
    TRUST_PROXY: flag.default(false),
    LOGIN_RATE_LIMIT_PER_MINUTE: positiveInt(60),
    JWT_PRIVATE_KEY: z.string().optional(),
    JWT_PREVIOUS_PUBLIC_KEYS: z.string().optional(),
    IDENTITY_SEALING_PRIVATE_KEY: base64Key.optional(),
    IDENTITY_SEALING_PREVIOUS_PRIVATE_KEYS: base64KeyList,
    IDENTITY_SEALING_PUBLIC_KEY: base64Key.optional(),
    MFA_SEALING_PRIVATE_KEY: base64Key.optional(),
    MFA_SEALING_PREVIOUS_PRIVATE_KEYS: base64KeyList,
    MFA_SEALING_PUBLIC_KEY: base64Key.optional(),
  })
  .superRefine(checkKafkaConnection)
  .refine((env) => Boolean(env.BOOTSTRAP_ADMIN_EMAIL) === Boolean(env.BOOTSTRAP_ADMIN_PASSWORD), {
    message: 'BOOTSTRAP_ADMIN_EMAIL and BOOTSTRAP_ADMIN_PASSWORD must be set together',
    path: ['BOOTSTRAP_ADMIN_EMAIL'],
  });

export type Config = z.infer<typeof configSchema>;
