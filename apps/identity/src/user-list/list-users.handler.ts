import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { IdentityRpc, ResponseOf } from '#contracts';
import { CLOCK, type Clock } from '#config';
import { UserDirectory } from '../user-directory/user-directory.js';
import { actingAdmin } from '../users/acting-admin.js';
import { UserRepository } from '../users/user.repository.js';
import { ListUsersQuery } from './list-users.query.js';

/** `identity.list-users`: a page of the admin's own organisation, as the directory holds it. */
@QueryHandler(ListUsersQuery)
export class ListUsersHandler implements IQueryHandler<ListUsersQuery> {
  constructor(
    private readonly users: UserRepository,
    private readonly directory: UserDirectory,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({
    request: { requestedBy, query, cursor, limit },
  }: ListUsersQuery): Promise<ResponseOf<typeof IdentityRpc.listUsers>> {
    const admin = await actingAdmin(this.users, requestedBy, this.clock.now());
    return this.directory.page(admin.adminOrgId, query, cursor, limit);
  }
}
