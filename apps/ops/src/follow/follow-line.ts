import type { ServiceName } from '../audited-services.js';

/** What `follow` shows of an event: its envelope only, never its data. */
export interface FollowedEvent {
  readonly service: ServiceName;
  readonly eventId: string;
  readonly type: string;
  readonly occurredAt: string;
  readonly aggregateId: string;
  readonly userId: string | undefined;
  readonly orgId: string | undefined;
  readonly correlationId: string | undefined;
}

/** Which events to show: a user's (by id), of some types; undefined: any. */
export interface FollowFilter {
  readonly userId?: string;
  readonly types?: ReadonlySet<string>;
}

export function matches(event: FollowedEvent, filter: FollowFilter): boolean {
  if (filter.types && !filter.types.has(event.type)) return false;
  if (filter.userId !== undefined && event.userId !== filter.userId && event.aggregateId !== filter.userId) {
    return false;
  }
  return true;
}

export const FOLLOW_HEADER = `${'time'.padEnd(24)}  ${'service'.padEnd(8)}  ${'type'.padEnd(28)}  ${'user'.padEnd(36)}  correlation\n`;

/** One line per event: time, service, type, user (or organisation), correlation id. */
export function followLine(event: FollowedEvent): string {
  const who = event.userId ?? (event.orgId ? `org ${event.orgId}` : event.aggregateId);
  return (
    `${event.occurredAt.padEnd(24)}  ${event.service.padEnd(8)}  ${event.type.padEnd(28)}  ${who.padEnd(36)}  ` +
    `${event.correlationId ?? '-'}\n`
  );
}

/** `--json`: the same, one JSON object a line. */
export function followJson(event: FollowedEvent): string {
  const { correlationId, userId, orgId, ...rest } = event;
  return `${JSON.stringify({
    ...rest,
    ...(userId === undefined ? {} : { userId }),
    ...(orgId === undefined ? {} : { orgId }),
    correlationId: correlationId ?? null,
  })}\n`;
}
