import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { ResponseOf, SessionRpc } from '#contracts';
import { CLOCK, type Clock } from '#config';
import { sessionStream } from '../sessions/session.events.js';
import { SessionRepository } from '../sessions/session.repository.js';
import { RevokeSessionCommand } from './revoke-session.command.js';

/** The user ends one of their sessions (a lost laptop); another user's session is `not_found`. */
@CommandHandler(RevokeSessionCommand)
export class RevokeSessionHandler implements ICommandHandler<RevokeSessionCommand> {
  constructor(
    private readonly sessions: SessionRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({
    request: { userId, sessionId },
  }: RevokeSessionCommand): Promise<ResponseOf<typeof SessionRpc.revokeSession>> {
    await this.sessions.handle(sessionStream(sessionId), {
      type: 'RevokeSession',
      data: { userId, reason: 'revoked_by_user', now: this.clock.now() },
    });
    return { sessionId };
  }
}
