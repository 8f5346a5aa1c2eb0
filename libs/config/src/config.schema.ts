import { z } from 'zod';
import { checkKafkaConnection, kafkaConnectionFields } from './kafka-config.js';
import { trustProxySchema } from './trust-proxy.js';

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

const eventStoreUrl = z
  .string()
  .optional()
  .refine(
    (url) =>
      !url ||
      /^(esdb|esdb\+discover|kurrentdb|kurrentdb\+discover|kdb|kdb\+discover|postgres|postgresql):\/\/[^\s]+$/.test(
        url,
      ),
    { message: 'must be an esdb:// (or kurrentdb://) or a postgres:// connection string' },
  );

/** What every process reads: how it reaches Kafka and its event store, where it keeps files, how it runs. */
const commonFields = {
  NODE_ENV: z.string().optional(),
  ...kafkaConnectionFields,
  KAFKA_REQUEST_TIMEOUT_MS: positiveInt(5000),
  EVENTSTORE_URL: eventStoreUrl,
  DATA_DIR: z.string().min(1).default('./data'),
  /** The address every listener binds: the gateway's API (PORT) and each process's management listener (HTTP_PORT). */
  HOST: z.string().min(1).default('127.0.0.1'),
  /** The management listener (`/metrics`, `/health/live`, `/health/ready`); unset: none. Never the API's PORT. */
  HTTP_PORT: z
    .string()
    .optional()
    .transform((port) => port || undefined)
    .transform((port) => (port === undefined ? undefined : Number(port)))
    .pipe(z.number().int().min(0).max(65535).optional()),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Unset: human-readable on a terminal, JSON Lines otherwise. */
  LOG_FORMAT: z
    .string()
    .optional()
    .transform((format) => format || undefined)
    .pipe(z.enum(['json', 'pretty']).optional()),
};

/**
 * Keys a production process must be given: without them it would generate
 * development keys into DATA_DIR, which nothing backs up, rotates or keeps secret.
 */
const requiredInProduction =
  (...names: string[]) =>
  (env: Record<string, unknown>, context: z.RefinementCtx) => {
    if (env['NODE_ENV'] !== 'production') return;
    for (const name of names) {
      if (env[name] === undefined || env[name] === '') {
        context.addIssue({ code: 'custom', path: [name], message: 'must be set when NODE_ENV=production' });
      }
    }
  };

/**
 * One schema per process (DESIGN.md, Configuration): each reads only its own
 * settings and secrets, so a deployment hands a process nothing it does not use.
 */
export const gatewayConfigSchema = z
  .object({
    ...commonFields,
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    TRUST_PROXY: trustProxySchema,
    LOGIN_RATE_LIMIT_PER_MINUTE: positiveInt(60),
    /** Set: the login rate limit's counters live in this Redis, shared by every gateway instance; unset: in memory. */
    REDIS_URL: z
      .string()
      .optional()
      .transform((url) => url || undefined)
      .pipe(
        z
          .string()
          .regex(/^rediss?:\/\/\S+$/, 'must be a redis:// or rediss:// URL')
          .optional(),
      ),
    /** Before every Redis key: installations (or test runs) sharing a Redis. */
    REDIS_KEY_PREFIX: z.string().max(100).default('totp-mfa:'),
    JWT_PRIVATE_KEY: z.string().optional(),
    JWT_PREVIOUS_PUBLIC_KEYS: z.string().optional(),
    IDENTITY_SEALING_PUBLIC_KEY: base64Key.optional(),
    MFA_SEALING_PUBLIC_KEY: base64Key.optional(),
  })
  .superRefine(checkKafkaConnection)
  .superRefine(requiredInProduction('JWT_PRIVATE_KEY', 'IDENTITY_SEALING_PUBLIC_KEY', 'MFA_SEALING_PUBLIC_KEY'));

export const identityConfigSchema = z
  .object({
    ...commonFields,
    BOOTSTRAP_ADMIN_EMAIL: z.string().optional(),
    BOOTSTRAP_ADMIN_PASSWORD: z.string().optional(),
    /** Failed passwords in a row after which each next attempt must wait... */
    PASSWORD_DELAY_AFTER_FAILURES: positiveInt(5),
    /** ...this long after the failure that reached it, twice as long after the next one, and so on... */
    PASSWORD_DELAY_BASE_SECONDS: positiveInt(1),
    /** ...up to this. */
    PASSWORD_DELAY_MAX_SECONDS: positiveInt(3600),
    /** Failed passwords in a row that lock the account until an admin unlocks it or sets a new password. */
    PASSWORD_LOCK_AFTER_FAILURES: positiveInt(100),
    IDENTITY_SEALING_PRIVATE_KEY: base64Key.optional(),
    IDENTITY_SEALING_PREVIOUS_PRIVATE_KEYS: base64KeyList,
  })
  .superRefine(checkKafkaConnection)
  .superRefine(requiredInProduction('IDENTITY_SEALING_PRIVATE_KEY'))
  .refine((env) => Boolean(env.BOOTSTRAP_ADMIN_EMAIL) === Boolean(env.BOOTSTRAP_ADMIN_PASSWORD), {
    message: 'BOOTSTRAP_ADMIN_EMAIL and BOOTSTRAP_ADMIN_PASSWORD must be set together',
    path: ['BOOTSTRAP_ADMIN_EMAIL'],
  })
  .refine((env) => env.PASSWORD_DELAY_MAX_SECONDS >= env.PASSWORD_DELAY_BASE_SECONDS, {
    message: 'must be at least PASSWORD_DELAY_BASE_SECONDS',
    path: ['PASSWORD_DELAY_MAX_SECONDS'],
  })
  .refine((env) => env.PASSWORD_LOCK_AFTER_FAILURES >= env.PASSWORD_DELAY_AFTER_FAILURES, {
    message: 'must be at least PASSWORD_DELAY_AFTER_FAILURES',
    path: ['PASSWORD_LOCK_AFTER_FAILURES'],
  });

export const mfaConfigSchema = z
  .object({
    ...commonFields,
    MFA_ENCRYPTION_KEY: base64Key.optional(),
    MFA_PREVIOUS_ENCRYPTION_KEYS: base64KeyList,
    MFA_ENROLLMENT_TTL_SECONDS: positiveInt(600),
    TOTP_ISSUER: z.string().min(1).max(100).default('totp-mfa'),
    /** Wrong codes in a row that lock the codes. */
    MFA_MAX_FAILED_ATTEMPTS: positiveInt(5),
    /** The first lock; each further lock since the last correct code lasts twice as long as the one before... */
    MFA_LOCKOUT_SECONDS: positiveInt(300),
    /** ...up to this (24 h). */
    MFA_LOCKOUT_MAX_SECONDS: positiveInt(86_400),
    /** Wrong codes since the last correct one that lock the codes until an admin resets the user's MFA. */
    MFA_PERMANENT_LOCK_AFTER: positiveInt(100),
    MFA_SEALING_PRIVATE_KEY: base64Key.optional(),
    MFA_SEALING_PREVIOUS_PRIVATE_KEYS: base64KeyList,
  })
  .superRefine(checkKafkaConnection)
  .superRefine(requiredInProduction('MFA_ENCRYPTION_KEY', 'MFA_SEALING_PRIVATE_KEY'))
  .refine((env) => env.MFA_LOCKOUT_MAX_SECONDS >= env.MFA_LOCKOUT_SECONDS, {
    message: 'must be at least MFA_LOCKOUT_SECONDS',
    path: ['MFA_LOCKOUT_MAX_SECONDS'],
  });

export const policyConfigSchema = z.object(commonFields).superRefine(checkKafkaConnection);

/**
 * The notifications service: mail through SMTP_URL (`smtp://` or `smtps://`, with its login if any:
 * a secret), or, unset, `.eml` files in DATA_DIR/outbox (the embedded default).
 */
export const notificationsConfigSchema = z
  .object({
    ...commonFields,
    SMTP_URL: z
      .string()
      .optional()
      .transform((url) => url || undefined)
      .pipe(
        z
          .string()
          .regex(/^smtps?:\/\/\S+$/, 'must be an smtp:// or smtps:// URL')
          .optional(),
      ),
    /** The From of every message (`Name <address>` or an address). */
    MAIL_FROM: z.string().min(3).max(200).default('totp-mfa <no-reply@localhost>'),
    /** Tries per message before it is parked on the dead-letter topic. */
    NOTIFICATIONS_MAX_ATTEMPTS: positiveInt(5),
    /** The wait after the first failed try, doubling per try... */
    NOTIFICATIONS_RETRY_INITIAL_MS: positiveInt(1000),
    /** ...up to this. */
    NOTIFICATIONS_RETRY_MAX_MS: positiveInt(60_000),
    /** One SMTP exchange may take this long (connect, greeting, each reply); an instance's claim on a message lasts twice it. */
    NOTIFICATIONS_SEND_TIMEOUT_MS: positiveInt(30_000),
    /** How long an event waits for its user's address (UserRegistered, on another topic) before it is parked as `unknown_recipient`. */
    NOTIFICATIONS_RECIPIENT_WAIT_MS: positiveInt(60_000),
  })
  .superRefine(checkKafkaConnection)
  .refine((env) => env.NOTIFICATIONS_RETRY_MAX_MS >= env.NOTIFICATIONS_RETRY_INITIAL_MS, {
    message: 'must be at least NOTIFICATIONS_RETRY_INITIAL_MS',
    path: ['NOTIFICATIONS_RETRY_MAX_MS'],
  });

export const configSchemas = {
  gateway: gatewayConfigSchema,
  identity: identityConfigSchema,
  mfa: mfaConfigSchema,
  policy: policyConfigSchema,
  notifications: notificationsConfigSchema,
} as const;

export type AppName = keyof typeof configSchemas;
export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;
export type IdentityConfig = z.infer<typeof identityConfigSchema>;
export type MfaConfig = z.infer<typeof mfaConfigSchema>;
export type PolicyConfig = z.infer<typeof policyConfigSchema>;
export type NotificationsConfig = z.infer<typeof notificationsConfigSchema>;
/** What every process's configuration has: what the shared libraries may read. */
export type CommonConfig = PolicyConfig;
export type ConfigOf<App extends AppName> = z.infer<(typeof configSchemas)[App]>;
