import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { ResponseOf, SessionRpc } from '#contracts';
import { CLOCK, type Clock } from '#config';
import { sessionStream } from '../sessions/session.events.js';
import { SessionRepository } from '../sessions/session.repository.js';
import { isUsable } from '../sessions/session.state.js';
import { toSessionView } from '../sessions/session-view.js';
import { userSessionsStream } from '../user-sessions/user-sessions.events.js';
import { UserSessionsRepository } from '../user-sessions/user-sessions.repository.js';
import { ListSessionsQuery } from './list-sessions.query.js';

/**
 * A read: the user's index, then each listed session, newest first; the ones
 * that can still be refreshed are shown. The index is bounded (a session
 * listed longer ago than a session lasts is dropped from it).
 */
@QueryHandler(ListSessionsQuery)
export class ListSessionsHandler implements IQueryHandler<ListSessionsQuery> {
  constructor(
    private readonly userSessions: UserSessionsRepository,
    private readonly sessions: SessionRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ request: { userId } }: ListSessionsQuery): Promise<ResponseOf<typeof SessionRpc.listSessions>> {
    const now = this.clock.now();
    const { state: index } = await this.userSessions.load(userSessionsStream(userId));
    const listed = [...index.sessions].reverse();
    const states = await Promise.all(
      listed.map(async ({ sessionId }) => (await this.sessions.load(sessionStream(sessionId))).state),
    );
    return {
      sessions: states.flatMap((session) =>
        isUsable(session, now) && session.userId === userId ? [toSessionView(session)] : [],
      ),
    };
  }
}
