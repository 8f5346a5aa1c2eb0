import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { IntegrationEvent } from '#contracts';
import type { EventLogReader, EventStore, RecordedEvent } from '#event-store';

const REPLAY_CATEGORY = 'relay_replay-';
export const REPLAY_REQUESTED = 'RelayReplayRequested';
export const REPLAY_COMPLETED = 'RelayReplayCompleted';

/**
 * Where an operator asks a service's relay to publish a range of its events
 * again (`ops relay replay`): `relay_replay-<name>`, in the service's own store.
 * A stream beside the checkpoints, not in it: the checkpoint stream is
 * truncated as it grows and the relay reads only its last event, so a request
 * there could be cut off or read as a checkpoint.
 */
export function relayReplayStreamOf(name: string): string {
  return `${REPLAY_CATEGORY}${name}`;
}

export function isRelayReplayStream(stream: string): boolean {
  return stream.startsWith(REPLAY_CATEGORY);
}

const position = z.string().regex(/^\d{1,40}$/);

/** A request: publish again every event of the relay's streams at positions `from`..`to` (both inclusive). */
export const relayReplayRequest = z.object({
  requestId: z.uuid(),
  from: position,
  to: position,
  requestedAt: z.iso.datetime({ offset: true }),
});
export type RelayReplayRequest = z.infer<typeof relayReplayRequest>;

/** What became of a request: how many events were published again, or why none were. */
export const relayReplayOutcome = z.object({
  requestId: z.uuid(),
  published: z.number().int().nonnegative(),
  completedAt: z.iso.datetime({ offset: true }),
  error: z.string().max(300).optional(),
});
export type RelayReplayOutcome = z.infer<typeof relayReplayOutcome>;

/** The request event `ops relay replay` appends (the relay does the publishing). */
export function relayReplayRequested(from: bigint, to: bigint, now = new Date()) {
  const data: RelayReplayRequest = {
    requestId: randomUUID(),
    from: from.toString(),
    to: to.toString(),
    requestedAt: now.toISOString(),
  };
  return { id: randomUUID(), type: REPLAY_REQUESTED, data };
}

/** The requests of a replay stream that no outcome answers yet, oldest first. */
export function pendingReplays(events: readonly RecordedEvent[]): RelayReplayRequest[] {
  const done = new Set<string>();
  for (const event of events) {
    if (event.type !== REPLAY_COMPLETED) continue;
    const outcome = relayReplayOutcome.safeParse(event.data);
    if (outcome.success) done.add(outcome.data.requestId);
  }
  return events.flatMap((event) => {
    if (event.type !== REPLAY_REQUESTED) return [];
    const request = relayReplayRequest.safeParse(event.data);
    return request.success && !done.has(request.data.requestId) ? [request.data] : [];
  });
}

export interface RelayReplayOptions {
  readonly name: string;
  readonly toIntegrationEvent: (event: RecordedEvent) => IntegrationEvent | null;
  readonly streamPrefixes?: readonly string[];
  readonly publish: (event: IntegrationEvent) => Promise<void>;
}

/**
 * The relay's side of `ops relay replay`: while it holds the lease, the relay
 * looks at its replay stream on every checkpoint tick, and publishes each
 * pending request's range again with its own producer, the same mapping and
 * the same contract checks as ever, then records the outcome. Only the
 * service's own principal ever writes its topic; ops only appends a request
 * to the store. At-least-once like the relay: a replay cut short (the lease
 * moved, the process stopped) stays pending and is run again whole by
 * whichever instance publishes next; consumers dedupe by `eventId`. Replayed
 * events may arrive after later ones of the same key: they are old news,
 * which consumers that dedupe ignore.
 */
export class RelayReplays {
  private readonly logger = new Logger(RelayReplays.name);
  private readonly stream: string;
  private running?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly store: EventStore,
    private readonly options: RelayReplayOptions,
  ) {
    this.stream = relayReplayStreamOf(options.name);
  }

  /** Runs the pending requests, if any and if not already at it; never throws (a failure is retried next tick). */
  poll(): Promise<void> {
    this.stopped = false;
    this.running ??= this.runPending().finally(() => (this.running = undefined));
    return this.running;
  }

  /** Stops between two events; resolves once the replay in progress, if any, has stopped. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  private async runPending(): Promise<void> {
    let pending: RelayReplayRequest[];
    try {
      pending = pendingReplays(await this.store.read(this.stream));
    } catch (error) {
      this.logger.warn(`relay ${this.options.name}: replay requests not read (${String(error)}); will retry`);
      return;
    }
    for (const request of pending) {
      if (this.stopped) return;
      await this.run(request);
    }
  }

  private async run(request: RelayReplayRequest): Promise<void> {
    const reader = this.store as Partial<EventLogReader>;
    let published = 0;
    let error: string | undefined;
    if (typeof reader.readAll !== 'function') {
      error = 'this event store cannot be read in global order';
    } else {
      const from = BigInt(request.from);
      const to = BigInt(request.to);
      try {
        const events = reader.readAll({
          ...(from > 0n ? { fromPosition: from - 1n } : {}),
          ...(this.options.streamPrefixes ? { streamPrefixes: this.options.streamPrefixes } : {}),
        });
        for await (const event of events) {
          if (event.position > to) break;
          if (this.stopped) return; // pending still: the next publisher runs it again
          const integrationEvent = this.options.toIntegrationEvent(event);
          if (!integrationEvent) continue;
          await this.options.publish(integrationEvent);
          published += 1;
        }
      } catch (failure) {
        // The broker is away, or the store: the request stays pending, tried again on a later tick.
        this.logger.warn(`relay ${this.options.name}: replay ${request.requestId} interrupted (${String(failure)})`);
        return;
      }
    }
    const outcome: RelayReplayOutcome = {
      requestId: request.requestId,
      published,
      completedAt: new Date().toISOString(),
      ...(error ? { error } : {}),
    };
    try {
      await this.store.append(this.stream, [{ id: randomUUID(), type: REPLAY_COMPLETED, data: outcome }], 'any');
    } catch (failure) {
      // Still pending: run again later, at-least-once like every publication.
      this.logger.warn(`relay ${this.options.name}: replay ${request.requestId} not recorded (${String(failure)})`);
      return;
    }
    this.logger.log(
      `relay ${this.options.name}: replayed positions ${request.from}..${request.to}: ${published} event(s) published again` +
        (error ? ` (${error})` : ''),
    );
  }
}
