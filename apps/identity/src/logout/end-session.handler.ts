import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { ResponseOf, SessionRpc } from '#contracts';
import { CLOCK, type Clock } from '#config';
import { sessionStream } from '../sessions/session.events.js';
import { SessionRepository } from '../sessions/session.repository.js';
import { EndSessionCommand } from './end-session.command.js';

/** Logout: the session of the presented refresh token is revoked (`logout`). */
@CommandHandler(EndSessionCommand)
export class EndSessionHandler implements ICommandHandler<EndSessionCommand> {
  constructor(
    private readonly sessions: SessionRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({
    request: { sessionId, presentedHash },
  }: EndSessionCommand): Promise<ResponseOf<typeof SessionRpc.endSession>> {
    await this.sessions.handle(sessionStream(sessionId), {
      type: 'EndSession',
      data: { presentedHash, now: this.clock.now() },
    });
    return { sessionId };
  }
}
