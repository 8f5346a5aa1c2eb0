import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { DomainError, IdentityRpc, MFA_HISTORY_PAGE_SIZE, MfaRpc, type UserAccountView } from '#contracts';
import { ServiceClient } from '#messaging';
import { CurrentPrincipal, RequiresRecentSignIn, RequiresRole } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/token.service.js';
import { ZodPipe } from '../http/zod-body.pipe.js';
import {
  ChangeRolesBody,
  CreateOrganisationBody,
  CreateUserBody,
  FromRevisionQuery,
  ListUsersQuery,
  ResetMfaBody,
  SetPasswordBody,
  UnlockUserBody,
  UserIdParam,
} from './admin.schemas.js';

@ApiTags('administration')
@ApiBearerAuth()
@RequiresRole('admin')
@Controller('v1/admin')
export class AdminUsersController {
  constructor(private readonly services: ServiceClient) {}

  @Post('users')
  @ApiOperation({
    summary: "Create a user in the admin's organisation; the user must change the password at the first sign-in",
  })
  @ApiBody({ schema: z.toJSONSchema(CreateUserBody, { io: 'input' }) as object })
  async createUser(@CurrentPrincipal() admin: Principal, @Body(new ZodPipe(CreateUserBody)) body: CreateUserBody) {
    const user = await this.services.call(IdentityRpc.registerUser, {
      ...body,
      orgId: admin.org,
      registeredBy: admin.sub,
    });
    return { id: user.id, email: user.email, roles: user.roles };
  }

  @Get('users')
  @ApiOperation({
    summary: "The users of the admin's organisation by email, with roles, lock and MFA status; paged",
    description:
      '`query` matches any part of the email, in any case; `nextCursor` (null on the last page) is the `cursor` of the next page.',
  })
  @ApiQuery({ name: 'query', required: false, type: String })
  @ApiQuery({ name: 'cursor', required: false, type: String })
  @ApiQuery({ name: 'limit', required: false, type: Number })
  async listUsers(
    @CurrentPrincipal() admin: Principal,
    @Query(new ZodPipe(ListUsersQuery)) query: z.output<typeof ListUsersQuery>,
  ) {
    const page = await this.services.call(IdentityRpc.listUsers, {
      ...query,
      requestedBy: { userId: admin.sub, orgId: admin.org },
    });
    return { users: await Promise.all(page.users.map((user) => this.withMfa(user))), nextCursor: page.nextCursor };
  }

  @Get('users/:id')
  @ApiOperation({ summary: "One user of the admin's organisation, with roles, lock and MFA status" })
  async getUser(@CurrentPrincipal() admin: Principal, @Param('id', new ZodPipe(UserIdParam)) userId: string) {
    const user = await this.services.call(IdentityRpc.describeUser, {
      userId,
      requestedBy: { userId: admin.sub, orgId: admin.org },
    });
    return this.withMfa(user);
  }

  @Put('users/:id/roles')
  @RequiresRecentSignIn()
  @ApiOperation({ summary: "Replace a user's roles (not one's own); ends the user's sessions; recorded with who" })
  @ApiBody({ schema: z.toJSONSchema(ChangeRolesBody) as object })
  async changeRoles(
    @CurrentPrincipal() admin: Principal,
    @Param('id', new ZodPipe(UserIdParam)) userId: string,
    @Body(new ZodPipe(ChangeRolesBody)) body: ChangeRolesBody,
  ) {
    const user = await this.services.call(IdentityRpc.changeRoles, {
      userId,
      roles: body.roles,
      changedBy: { userId: admin.sub, orgId: admin.org },
    });
    return { id: user.id, email: user.email, roles: user.roles };
  }

  @Post('organisations')
  @ApiOperation({ summary: 'Create an organisation (tenant) with its first admin; operators only' })
  @ApiBody({ schema: z.toJSONSchema(CreateOrganisationBody) as object })
  createOrganisation(
    @CurrentPrincipal() admin: Principal,
    @Body(new ZodPipe(CreateOrganisationBody)) body: CreateOrganisationBody,
  ) {
    return this.services.call(IdentityRpc.createOrganisation, {
      ...body,
      requestedBy: { userId: admin.sub, orgId: admin.org },
    });
  }

  @Post('users/:id/mfa/reset')
  @RequiresRecentSignIn()
  @HttpCode(200)
  @ApiOperation({ summary: "Reset a user's MFA (lost phone); recorded with who and why" })
  @ApiBody({ schema: z.toJSONSchema(ResetMfaBody) as object })
  async resetMfa(
    @CurrentPrincipal() admin: Principal,
    @Param('id', new ZodPipe(UserIdParam)) userId: string,
    @Body(new ZodPipe(ResetMfaBody)) body: ResetMfaBody,
  ) {
    await this.assertSameOrganisation(admin, userId);
    const { status } = await this.services.call(MfaRpc.reset, { userId, adminId: admin.sub, reason: body.reason });
    return { status };
  }

  @Post('users/:id/unlock')
  @HttpCode(200)
  @ApiOperation({ summary: 'Lift the lock (and delay) of failed passwords; recorded with who and why' })
  @ApiBody({ schema: z.toJSONSchema(UnlockUserBody) as object })
  unlock(
    @CurrentPrincipal() admin: Principal,
    @Param('id', new ZodPipe(UserIdParam)) userId: string,
    @Body(new ZodPipe(UnlockUserBody)) body: UnlockUserBody,
  ) {
    // Identity checks the organisation from its own events: another organisation's user is not_found.
    return this.services.call(IdentityRpc.unlockUser, {
      userId,
      reason: body.reason,
      unlockedBy: { userId: admin.sub, orgId: admin.org },
    });
  }

  @Post('users/:id/password')
  @RequiresRecentSignIn()
  @HttpCode(200)
  @ApiOperation({ summary: 'Set a new password, which the user must change at the next sign-in; lifts a lock' })
  @ApiBody({ schema: z.toJSONSchema(SetPasswordBody) as object })
  setPassword(
    @CurrentPrincipal() admin: Principal,
    @Param('id', new ZodPipe(UserIdParam)) userId: string,
    @Body(new ZodPipe(SetPasswordBody)) body: SetPasswordBody,
  ) {
    return this.services.call(IdentityRpc.setPassword, {
      userId,
      password: body.password,
      setBy: { userId: admin.sub, orgId: admin.org },
    });
  }

  @Get('users/:id/mfa/events')
  @ApiOperation({
    summary: "The user's MFA event stream for audit, oldest first, without secrets",
    description: `At most ${MFA_HISTORY_PAGE_SIZE} events a page; \`nextRevision\` (when not null) is the \`fromRevision\` of the next page.`,
  })
  @ApiQuery({ name: 'fromRevision', required: false, type: Number })
  async mfaEvents(
    @CurrentPrincipal() admin: Principal,
    @Param('id', new ZodPipe(UserIdParam)) userId: string,
    @Query('fromRevision', new ZodPipe(FromRevisionQuery)) fromRevision: number | undefined,
  ) {
    await this.assertSameOrganisation(admin, userId);
    return this.services.call(MfaRpc.getHistory, { userId, fromRevision });
  }

  private async withMfa({ orgId: _, ...user }: UserAccountView) {
    const { status } = await this.services.call(MfaRpc.getStatus, { userId: user.id });
    return { ...user, mfa: { status } };
  }

  /** Users of other organisations do not exist for this admin: 404, not 403, so ids cannot be probed. */
  private async assertSameOrganisation(admin: Principal, userId: string): Promise<void> {
    const user = await this.services.call(IdentityRpc.getUser, { userId });
    if (user.orgId !== admin.org) throw new DomainError('not_found', 'no such user');
  }
}
