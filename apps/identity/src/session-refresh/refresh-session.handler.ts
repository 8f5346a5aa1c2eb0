import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { ResponseOf, SessionRpc } from '#contracts';
import { CLOCK, type Clock } from '#config';
import { newRefreshToken, refreshTokenHash, sessionIdOf } from '../sessions/refresh-token.js';
import { InvalidRefreshToken } from '../sessions/session.errors.js';
import { sessionStream } from '../sessions/session.events.js';
import { SessionRepository } from '../sessions/session.repository.js';
import { toSessionTokens } from '../sessions/session-view.js';
import { RefreshSessionCommand } from './refresh-session.command.js';

/**
 * Rotates a refresh token: one read of the session (its snapshot and what
 * followed) and one append, no password hashing. A spent token revokes the
 * session, recorded before the refusal is answered. Of two refreshes with one
 * token at once, the expected revision lets one rotate; the other then
 * presents a spent token, and the session is revoked: strict replay
 * detection, with no grace period a thief could use.
 */
@CommandHandler(RefreshSessionCommand)
export class RefreshSessionHandler implements ICommandHandler<RefreshSessionCommand> {
  constructor(
    private readonly sessions: SessionRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ request }: RefreshSessionCommand): Promise<ResponseOf<typeof SessionRpc.refreshSession>> {
    const now = this.clock.now();
    const sessionId = sessionIdOf(request.refreshToken);
    const refreshToken = newRefreshToken(sessionId);
    const { events, state } = await this.sessions.handle(sessionStream(sessionId), {
      type: 'RefreshSession',
      data: {
        presentedHash: refreshTokenHash(request.refreshToken),
        refreshTokenHash: refreshTokenHash(refreshToken),
        context: request.context,
        now,
      },
    });
    if (state.status !== 'active' || events.some((event) => event.type === 'SessionRevoked')) {
      throw new InvalidRefreshToken();
    }
    return toSessionTokens(state, refreshToken);
  }
}
