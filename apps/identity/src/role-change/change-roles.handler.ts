import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { UserView } from '#contracts';
import { CLOCK, type Clock } from '#config';
import { actingAdmin } from '../users/acting-admin.js';
import { UserNotFound } from '../users/user.errors.js';
import { userStream } from '../users/user.events.js';
import { UserRepository } from '../users/user.repository.js';
import { toUserView } from '../users/user-view.js';
import { ChangeRolesCommand } from './change-roles.command.js';

/**
 * `identity.change-roles`: an admin of the user's organisation replaces the
 * user's roles. `UserRolesChanged` on `auth.identity.events` ends the user's
 * sessions (their access tokens carry the old roles), as a password change does.
 */
@CommandHandler(ChangeRolesCommand)
export class ChangeRolesHandler implements ICommandHandler<ChangeRolesCommand> {
  constructor(
    private readonly users: UserRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ request: { userId, roles, changedBy } }: ChangeRolesCommand): Promise<UserView> {
    const admin = await actingAdmin(this.users, changedBy, this.clock.now());
    const { state } = await this.users.handle(userStream(userId), {
      type: 'ChangeUserRoles',
      data: { ...admin, roles },
    });
    if (state.status !== 'registered') throw new UserNotFound();
    return toUserView(state);
  }
}
