import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { IdentityRpc, ResponseOf } from '#contracts';
import { CLOCK, type Clock } from '#config';
import { PasswordHasher } from '../passwords/password-hasher.js';
import { checkPasswordPolicy } from '../passwords/password-policy.js';
import { actingAdmin } from '../users/acting-admin.js';
import { UserNotFound } from '../users/user.errors.js';
import { userStream } from '../users/user.events.js';
import { UserRepository } from '../users/user.repository.js';
import { SetPasswordCommand } from './set-password.command.js';

/**
 * `identity.set-password`: an admin of the user's organisation gives the user
 * a new password (forgotten, or locked out). It also lifts a lock, and the
 * user must replace it at the next sign-in: the admin knows it.
 */
@CommandHandler(SetPasswordCommand)
export class SetPasswordHandler implements ICommandHandler<SetPasswordCommand> {
  constructor(
    private readonly users: UserRepository,
    private readonly hasher: PasswordHasher,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({
    request: { userId, password, setBy },
  }: SetPasswordCommand): Promise<ResponseOf<typeof IdentityRpc.setPassword>> {
    const admin = await actingAdmin(this.users, setBy, this.clock.now());
    const stream = userStream(userId);
    const { state: user } = await this.users.load(stream);
    // Checked before any hashing; the decider checks the organisation again on the state it appends to.
    if (user.status !== 'registered' || user.orgId !== admin.adminOrgId) throw new UserNotFound();
    checkPasswordPolicy(password, { email: user.email });
    const passwordHash = await this.hasher.hash(password);
    await this.users.handle(stream, { type: 'SetPasswordByAdmin', data: { ...admin, passwordHash } });
    return { passwordChangeRequired: true, setAt: admin.now.toISOString() };
  }
}
