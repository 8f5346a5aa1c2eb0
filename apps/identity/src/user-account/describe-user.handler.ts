import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { UserAccountView } from '#contracts';
import { CLOCK, type Clock } from '#config';
import { actingAdmin } from '../users/acting-admin.js';
import { UserNotFound } from '../users/user.errors.js';
import { userStream } from '../users/user.events.js';
import { UserRepository } from '../users/user.repository.js';
import { toUserAccountView } from '../users/user-view.js';
import { DescribeUserQuery } from './describe-user.query.js';

/** `identity.describe-user`: one user of the admin's organisation, from its stream; users of others do not exist for them. */
@QueryHandler(DescribeUserQuery)
export class DescribeUserHandler implements IQueryHandler<DescribeUserQuery> {
  constructor(
    private readonly users: UserRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ request: { userId, requestedBy } }: DescribeUserQuery): Promise<UserAccountView> {
    const admin = await actingAdmin(this.users, requestedBy, this.clock.now());
    const { state } = await this.users.load(userStream(userId));
    if (state.status !== 'registered' || state.orgId !== admin.adminOrgId) throw new UserNotFound();
    return toUserAccountView(state);
  }
}
