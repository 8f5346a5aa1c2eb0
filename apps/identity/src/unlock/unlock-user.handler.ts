import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { IdentityRpc, ResponseOf } from '#contracts';
import { CLOCK, type Clock } from '#config';
import { actingAdmin } from '../users/acting-admin.js';
import { userStream } from '../users/user.events.js';
import { UserRepository } from '../users/user.repository.js';
import { UnlockUserCommand } from './unlock-user.command.js';

/**
 * `identity.unlock-user`: an admin of the user's organisation lifts the lock
 * (and any delay) of failed passwords, recorded with who and why. A user who
 * is neither locked nor delayed records nothing: unlocking is idempotent.
 */
@CommandHandler(UnlockUserCommand)
export class UnlockUserHandler implements ICommandHandler<UnlockUserCommand> {
  constructor(
    private readonly users: UserRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({
    request: { userId, reason, unlockedBy },
  }: UnlockUserCommand): Promise<ResponseOf<typeof IdentityRpc.unlockUser>> {
    const admin = await actingAdmin(this.users, unlockedBy, this.clock.now());
    await this.users.handle(userStream(userId), { type: 'UnlockUser', data: { ...admin, reason } });
    return { locked: false };
  }
}
