import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { ResponseOf, SessionRpc } from '#contracts';
import { CLOCK, type Clock } from '#config';
import { InvalidRefreshToken } from '../sessions/session.errors.js';
import { sessionStream } from '../sessions/session.events.js';
import { SessionRepository } from '../sessions/session.repository.js';
import { toSessionGrant } from '../sessions/session-view.js';
import { RefreshSessionCommand } from './refresh-session.command.js';

/**
 * Rotates a refresh token (the gateway sends the hashes of the presented
 * token and of the one that replaces it): one read of the session (its snapshot and what
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
    const { sessionId, presentedHash, refreshTokenHash, context } = request;
    const { events, state } = await this.sessions.handle(sessionStream(sessionId), {
      type: 'RefreshSession',
      data: { presentedHash, refreshTokenHash, context, now },
    });
    if (state.status !== 'active' || events.some((event) => event.type === 'SessionRevoked')) {
      throw new InvalidRefreshToken();
    }
    return toSessionGrant(state);
  }
}
