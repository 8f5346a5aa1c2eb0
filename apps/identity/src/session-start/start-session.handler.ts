import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { ResponseOf, SessionRpc } from '#contracts';
import { CLOCK, type Clock } from '#config';
import { sessionStream } from '../sessions/session.events.js';
import { SessionRepository } from '../sessions/session.repository.js';
import { toSessionGrant } from '../sessions/session-view.js';
import { userSessionsStream } from '../user-sessions/user-sessions.events.js';
import { UserSessionsRepository } from '../user-sessions/user-sessions.repository.js';
import { UserNotFound } from '../users/user.errors.js';
import { userStream } from '../users/user.events.js';
import { UserRepository } from '../users/user.repository.js';
import { StartSessionCommand } from './start-session.command.js';

/**
 * A signed-in device's session, its claims (organisation, roles) read from the
 * user's own events. Two writes, the session first:
 *
 * - `SessionStarted` in `session-<id>` at `no_stream` (the id and the refresh
 *   token's hash are the gateway's; a repeat of the same start changes nothing);
 * - `UserSessionListed` in `user_sessions-<userId>`, refused if a revocation
 *   of the user's sessions (a password or MFA change) was recorded since the
 *   sign-in began: that stream orders the two, so a sign-in racing a change
 *   either is listed before it (and revoked with the others) or is refused.
 *
 * The gateway hands the refresh token out only after both answered: a crash
 * between them, or a refused listing, leaves a session no one holds a token
 * of and no list shows. Nothing to undo; a repeated request finishes it.
 */
@CommandHandler(StartSessionCommand)
export class StartSessionHandler implements ICommandHandler<StartSessionCommand> {
  constructor(
    private readonly users: UserRepository,
    private readonly sessions: SessionRepository,
    private readonly userSessions: UserSessionsRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ request }: StartSessionCommand): Promise<ResponseOf<typeof SessionRpc.startSession>> {
    const now = this.clock.now();
    const { sessionId, refreshTokenHash, userId, amr, context } = request;
    const { state: user } = await this.users.load(userStream(userId));
    if (user.status !== 'registered') throw new UserNotFound();
    // Never later than now: a sign-in cannot have begun in the future.
    const authenticatedAt = new Date(Math.min(Date.parse(request.authenticatedAt), now.getTime()));
    const { state } = await this.sessions.handle(sessionStream(sessionId), {
      type: 'StartSession',
      data: {
        sessionId,
        userId,
        orgId: user.orgId,
        roles: user.roles,
        amr,
        authenticatedAt,
        refreshTokenHash,
        context,
        now,
      },
    });
    await this.userSessions.handle(userSessionsStream(userId), {
      type: 'ListSession',
      data: { userId, sessionId, authenticatedAt, now },
    });
    if (state.status === 'none') throw new Error('a started session has a state');
    return toSessionGrant(state);
  }
}
