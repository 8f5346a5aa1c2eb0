/**
 * Integration events: what other internal services read from Kafka. Published
 * from each service's event store by a checkpointed relay (at-least-once;
 * consumers dedupe by `eventId`). Data never carries secrets or hashes.
 */
export const INTEGRATION_TOPICS = {
  identity: 'auth.identity.events',
  mfa: 'auth.mfa.events',
  policy: 'auth.policy.events',
} as const;

export type IntegrationTopic = (typeof INTEGRATION_TOPICS)[keyof typeof INTEGRATION_TOPICS];

export interface IntegrationEvent {
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  /** The aggregate the event belongs to: a user id or an organisation id; also the Kafka message key. */
  readonly aggregateId: string;
  readonly userId?: string;
  readonly orgId?: string;
  /**
   * The session whose request caused the event (the `sid` of the access token
   * the gateway acted for), when there was one: a password or MFA change
   * revokes the user's other sessions, not this one.
   */
  readonly actingSessionId?: string;
  /** The client request the event goes back to (the gateway's `X-Request-Id`), when there was one. */
  readonly correlationId?: string;
  /** What caused it: the request's id, or the id of the integration event a reaction handled. */
  readonly causationId?: string;
  readonly occurredAt: string;
  readonly source: { readonly stream: string; readonly revision: number; readonly position: string };
  readonly data: Record<string, unknown>;
}
