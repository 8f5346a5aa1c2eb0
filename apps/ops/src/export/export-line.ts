/**
 * One line of `ops export` (JSON Lines): an event as an auditor may see it,
 * its public form only, with what links it into its stream's hash chain.
 */
export interface ExportLine {
  /** The store it was read from: a service, or `EventStoreDB`. */
  readonly source: string;
  readonly stream: string;
  readonly revision: number;
  /** The store's global position, as a decimal string. */
  readonly position: string;
  readonly eventId: string;
  readonly type: string;
  readonly recordedAt: string;
  /**
   * What the service publishes of the event (its `.public.ts` allow-list:
   * schema version, ids, occurredAt, data); null for an event that never
   * leaves its service (snapshots, email reservations, ...), or one that
   * could not be decoded.
   */
  readonly public: ExportedPublicForm | null;
  /**
   * `hash` = SHA-256(`previous` ‖ `digest`), as stored with the event;
   * `digest` = SHA-256 of the whole event's canonical JSON, private fields
   * included (see libs/event-store/src/hash-chain.ts). Null: the event was
   * stored before its stream's chain started. `previous` null: the first kept
   * event of a truncated snapshot or relay checkpoint stream, whose previous
   * hash went with the events before it; its hash anchors the lines after it.
   */
  readonly chain: { readonly previous: string | null; readonly digest: string; readonly hash: string } | null;
}

export interface ExportedPublicForm {
  readonly schemaVersion: number;
  readonly aggregateId: string;
  readonly userId?: string;
  readonly orgId?: string;
  readonly actingSessionId?: string;
  readonly occurredAt: string;
  readonly data: Record<string, unknown>;
}
