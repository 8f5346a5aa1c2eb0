import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { UserAccountView } from '#contracts';
import { EVENT_STORE, isSnapshotStream, type EventStore, type RecordedEvent, type Subscription } from '#event-store';
import { backoffDelay, CancellableSleep } from '#messaging';
import { userEventCodec } from '../users/user.codec.js';
import { userDecider, type UserState } from '../users/user.decider.js';
import { USER_STREAM_PREFIX } from '../users/user.events.js';
import { toUserAccountView, type RegisteredUser } from '../users/user-view.js';

const USERS = { streamPrefixes: [USER_STREAM_PREFIX] } as const;
const RESUBSCRIBE = { initialMs: 100, maxMs: 10_000 } as const;
/** How long a query waits for the directory to hold every user event already stored (read your own writes). */
const CATCH_UP_MS = 2_000;

export interface DirectoryPage {
  readonly users: UserAccountView[];
  readonly nextCursor: string | null;
}

/**
 * The users of every organisation as admins list them: a read model folded
 * in memory, with the user decider's own `evolve`, from the `user-` streams of
 * identity's store (from the start, then live). A page first waits until the
 * directory holds every user event stored when it was asked, so an admin sees
 * the user they have just created.
 */
@Injectable()
export class UserDirectory implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(UserDirectory.name);
  private readonly users = new Map<string, RegisteredUser>();
  private position: bigint | undefined;
  private subscription: Subscription | undefined;
  private failures = 0;
  private stopped = false;
  private readonly sleep = new CancellableSleep();

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  onApplicationBootstrap(): void {
    this.subscribe();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    this.sleep.cancel();
    await this.subscription?.close();
  }

  /** Users of `orgId` whose email contains `query` (any case), by email, after `cursor`. */
  async page(orgId: string, query: string, cursor: string | undefined, limit: number): Promise<DirectoryPage> {
    await this.caughtUp();
    const after = cursor === undefined ? undefined : emailOfCursor(cursor);
    const needle = query.toLowerCase();
    const matching = [...this.users.values()]
      .filter((user) => user.orgId === orgId && user.email.includes(needle))
      .filter((user) => after === undefined || user.email > after)
      .sort((a, b) => (a.email < b.email ? -1 : 1));
    const users = matching.slice(0, limit);
    const last = users.at(-1);
    return {
      users: users.map(toUserAccountView),
      nextCursor: matching.length > limit && last ? cursorOf(last.email) : null,
    };
  }

  private subscribe(): void {
    if (this.stopped) return;
    this.subscription = this.store.subscribeToAll(
      { ...USERS, ...(this.position === undefined ? {} : { fromPosition: this.position }) },
      { onEvent: (event) => this.apply(event), onError: (error) => void this.resubscribe(error) },
    );
  }

  private async resubscribe(error: unknown): Promise<void> {
    this.failures += 1;
    this.logger.error(`user directory: the store subscription failed (${String(error)}); resubscribing`);
    await this.subscription?.close();
    await this.sleep.for(backoffDelay(RESUBSCRIBE, this.failures));
    this.subscribe();
  }

  private apply(recorded: RecordedEvent): void {
    this.position = recorded.position;
    this.failures = 0;
    // Snapshots, and another service's streams of the same prefix on a shared store, are not user events.
    if (isSnapshotStream(recorded.stream) || !userEventCodec.isEventType(recorded.type)) return;
    const event = userEventCodec.decode(recorded);
    const current: UserState = this.users.get(event.data.userId) ?? userDecider.initialState();
    const next = userDecider.evolve(current, event);
    if (next.status === 'registered') this.users.set(next.userId, next);
  }

  private async caughtUp(): Promise<void> {
    const deadline = Date.now() + CATCH_UP_MS;
    while ((await this.store.countEventsAfter(this.position, { ...USERS, limit: 1 })) > 0) {
      if (Date.now() > deadline) return; // a little behind beats no answer; the next query is current again
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

/** The last email of a page, opaque to clients (emails are unique per installation). */
const cursorOf = (email: string): string => Buffer.from(email, 'utf8').toString('base64url');
const emailOfCursor = (cursor: string): string => Buffer.from(cursor, 'base64url').toString('utf8');
