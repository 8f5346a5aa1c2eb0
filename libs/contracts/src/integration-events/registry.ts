import type { z } from 'zod';
import type { IntegrationEvent, IntegrationTopic } from '../integration-events.js';
import { integrationEventEnvelope, type IntegrationEventContract } from './envelope.js';
import { IDENTITY_INTEGRATION_EVENTS } from './identity.events.js';
import { MFA_INTEGRATION_EVENTS } from './mfa.events.js';
import { POLICY_INTEGRATION_EVENTS } from './policy.events.js';

/**
 * Every integration event type published on `auth.*.events`, by type and
 * schema version: the contract between a publishing service and its
 * consumers. A breaking change of a type's data (a field removed, renamed,
 * retyped or made required) is a new schema version beside the old one;
 * consumers accept the versions they know.
 */
export const INTEGRATION_EVENT_CONTRACTS = {
  ...IDENTITY_INTEGRATION_EVENTS,
  ...MFA_INTEGRATION_EVENTS,
  ...POLICY_INTEGRATION_EVENTS,
} as const;

/** The event types of each topic. */
export const INTEGRATION_EVENT_CONTRACTS_BY_TOPIC: Readonly<
  Record<IntegrationTopic, Readonly<Record<string, Readonly<Record<number, IntegrationEventContract>>>>>
> = {
  'auth.identity.events': IDENTITY_INTEGRATION_EVENTS,
  'auth.mfa.events': MFA_INTEGRATION_EVENTS,
  'auth.policy.events': POLICY_INTEGRATION_EVENTS,
};

type Contracts = typeof INTEGRATION_EVENT_CONTRACTS;
export type IntegrationEventType = keyof Contracts;
type AnyContract = { [Type in IntegrationEventType]: Contracts[Type][keyof Contracts[Type]] }[IntegrationEventType];

type EventOf<Contract> =
  Contract extends IntegrationEventContract<infer Type, infer Version, infer Payload>
    ? Omit<IntegrationEvent, 'type' | 'schemaVersion' | 'data'> & {
        readonly type: Type;
        readonly schemaVersion: Version;
        readonly data: z.output<Payload> & { readonly schemaVersion: Version };
      }
    : never;

/** An integration event of a known type and version, its data as its contract says: narrow it by `type`. */
export type KnownIntegrationEvent = EventOf<AnyContract>;
export type KnownIntegrationEventOf<Type extends IntegrationEventType> = Extract<KnownIntegrationEvent, { type: Type }>;

/** What a service's public form of an event of this type returns: the data without its `schemaVersion`. */
export type PublishedData<Type extends IntegrationEventType> = DeepReadonly<
  z.output<Extract<AnyContract, { type: Type }>['payload']>
>;

type DeepReadonly<T> = T extends (infer Item)[]
  ? readonly DeepReadonly<Item>[]
  : T extends readonly unknown[]
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T extends object
      ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
      : T;

/** The contract of a type and version, if there is one. */
export function integrationEventContractOf(type: string, schemaVersion: number): IntegrationEventContract | undefined {
  if (!Object.hasOwn(INTEGRATION_EVENT_CONTRACTS, type)) return undefined;
  const versions: Readonly<Record<number, IntegrationEventContract>> =
    INTEGRATION_EVENT_CONTRACTS[type as IntegrationEventType];
  return Object.hasOwn(versions, schemaVersion) ? versions[schemaVersion] : undefined;
}

/** Whether `type` is published at all (any version). */
export function isIntegrationEventType(type: string): type is IntegrationEventType {
  return Object.hasOwn(INTEGRATION_EVENT_CONTRACTS, type);
}

/** What a consumer makes of a message: a known event, checked; a type or version it does not know; or a broken one. */
export type IntegrationEventReading =
  | { readonly outcome: 'known'; readonly event: KnownIntegrationEvent }
  | { readonly outcome: 'unknown'; readonly unknown: 'type' | 'version' }
  /** Paths and issue codes only (`data.remaining: invalid_type`): what arrived may hold anything. */
  | { readonly outcome: 'invalid'; readonly problems: string };

/**
 * Reads a message of `auth.*.events` against the contracts: the envelope, then
 * the type's schema of the event's version. Fields the contract does not name
 * are dropped (a consumer reads what it knows), never an error.
 */
export function readIntegrationEvent(message: unknown): IntegrationEventReading {
  const envelope = integrationEventEnvelope.safeParse(message);
  if (!envelope.success) return { outcome: 'invalid', problems: problemsOf(envelope.error) };
  const { type, schemaVersion } = envelope.data;
  if (!isIntegrationEventType(type)) return { outcome: 'unknown', unknown: 'type' };
  const contract = integrationEventContractOf(type, schemaVersion);
  if (!contract) return { outcome: 'unknown', unknown: 'version' };
  const parsed = contract.schema.safeParse(message);
  if (!parsed.success) return { outcome: 'invalid', problems: problemsOf(parsed.error) };
  return { outcome: 'known', event: parsed.data as KnownIntegrationEvent };
}

/**
 * What is wrong with an event a service is about to publish, by path and
 * issue code (never a value), or an empty list: its type and version have a
 * contract, it satisfies it, and it carries no field the contract does not
 * name (a field leaking past the contract is a bug as much as a missing one).
 */
export function contractViolationsOf(event: IntegrationEvent): string[] {
  const contract = integrationEventContractOf(event.type, event.schemaVersion);
  if (!contract) return [`${event.type} v${event.schemaVersion}: no contract`];
  const parsed = contract.schema.safeParse(event);
  if (!parsed.success) return parsed.error.issues.map(problemOf);
  return undeclaredPaths(event, parsed.data).map((path) => `${path}: not in the contract`);
}

function problemsOf(error: z.ZodError): string {
  return error.issues.map(problemOf).join(', ');
}

function problemOf(issue: z.core.$ZodIssue): string {
  return `${issue.path.join('.') || 'event'}: ${issue.code}`;
}

/** The paths of `sent` that parsing dropped from it (zod objects strip the keys they do not declare). */
function undeclaredPaths(sent: unknown, kept: unknown, path: readonly (string | number)[] = []): string[] {
  if (Array.isArray(sent) && Array.isArray(kept)) {
    return sent.flatMap((item, index) => undeclaredPaths(item, kept[index], [...path, index]));
  }
  if (!isObject(sent) || !isObject(kept)) return [];
  return Object.keys(sent).flatMap((key) =>
    Object.hasOwn(kept, key) ? undeclaredPaths(sent[key], kept[key], [...path, key]) : [[...path, key].join('.')],
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
