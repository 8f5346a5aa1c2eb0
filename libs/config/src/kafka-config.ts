import { readFileSync } from 'node:fs';
import { z } from 'zod';

function readable(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

const unsetIfEmpty = (value: string | undefined) => (value === undefined || value === '' ? undefined : value);

/**
 * How a process reaches Kafka (README, Configuration). Part of every service's
 * configuration; `kafkaConnectionOf` in libs/messaging reads the files named here.
 */
export const kafkaConnectionFields = {
  KAFKA_BROKERS: z
    .string()
    .optional()
    .transform((value) =>
      value
        ?.split(',')
        .map((broker) => broker.trim())
        .filter(Boolean),
    )
    .refine((brokers) => !brokers || brokers.every((broker) => /^[^\s:/]+:\d{1,5}$/.test(broker)), {
      message: 'must be a comma-separated list of host:port',
    })
    .transform((brokers) => (brokers && brokers.length > 0 ? brokers : undefined)),
  /** Set: TLS, trusting these CA certificates (a public CA's bundle works too). */
  KAFKA_SSL_CA_FILE: z
    .string()
    .optional()
    .transform(unsetIfEmpty)
    .refine((path) => !path || readable(path)?.includes('-----BEGIN CERTIFICATE-----'), {
      message: 'must name a readable PEM file of CA certificates',
    }),
  KAFKA_SASL_MECHANISM: z
    .string()
    .optional()
    .transform((value) => unsetIfEmpty(value)?.toLowerCase())
    .refine((mechanism) => mechanism === undefined || mechanism === 'scram-sha-512', {
      message: 'must be scram-sha-512',
    })
    .transform((mechanism) => mechanism as 'scram-sha-512' | undefined),
  KAFKA_SASL_USERNAME: z.string().optional().transform(unsetIfEmpty),
  KAFKA_SASL_PASSWORD: z.string().optional().transform(unsetIfEmpty),
  KAFKA_SASL_PASSWORD_FILE: z
    .string()
    .optional()
    .transform(unsetIfEmpty)
    .refine((path) => !path || Boolean(readable(path)?.trim()), {
      message: 'must name a readable, non-empty file',
    }),
  /** Prefixes every topic and consumer group: installations sharing a cluster never meet. */
  KAFKA_TOPIC_PREFIX: z
    .string()
    .default('')
    .refine((prefix) => /^[A-Za-z0-9._-]{0,100}$/.test(prefix), {
      message: 'must be at most 100 letters, digits, ".", "_" or "-"',
    }),
};

type KafkaConnectionFields = { [K in keyof typeof kafkaConnectionFields]: z.output<(typeof kafkaConnectionFields)[K]> };

/** The settings that only make sense together; never names a value. */
export function checkKafkaConnection(env: KafkaConnectionFields, context: z.RefinementCtx): void {
  const problem = (field: keyof KafkaConnectionFields, message: string) =>
    context.addIssue({ code: 'custom', path: [field], message });
  const sasl = env.KAFKA_SASL_USERNAME !== undefined;
  if (!env.KAFKA_BROKERS) {
    const set = (['KAFKA_SSL_CA_FILE', 'KAFKA_SASL_USERNAME'] as const).find((field) => env[field] !== undefined);
    if (set) problem(set, 'needs KAFKA_BROKERS (without it the services talk in-process)');
    return;
  }
  if (env.KAFKA_SASL_PASSWORD !== undefined && env.KAFKA_SASL_PASSWORD_FILE !== undefined) {
    problem('KAFKA_SASL_PASSWORD', 'and KAFKA_SASL_PASSWORD_FILE are both set; set one');
  }
  const password = (['KAFKA_SASL_PASSWORD', 'KAFKA_SASL_PASSWORD_FILE'] as const).find((field) => env[field]);
  if (sasl && !password) problem('KAFKA_SASL_USERNAME', 'needs KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE');
  const loginPart = password ?? (env.KAFKA_SASL_MECHANISM ? 'KAFKA_SASL_MECHANISM' : undefined);
  if (!sasl && loginPart) problem(loginPart, 'needs KAFKA_SASL_USERNAME');
  if (sasl && !env.KAFKA_SSL_CA_FILE) {
    problem(
      'KAFKA_SASL_USERNAME',
      'needs KAFKA_SSL_CA_FILE: without TLS every message would cross the network readable',
    );
  }
}

export const kafkaConnectionSchema = z.object(kafkaConnectionFields).superRefine(checkKafkaConnection);

export type KafkaConnectionConfig = z.output<typeof kafkaConnectionSchema>;
