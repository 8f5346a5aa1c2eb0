import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { PolicyRpc } from '#contracts';
import { ServiceClient } from '#messaging';
import { CurrentPrincipal, RequiresRecentSignIn, RequiresRole } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/token.service.js';
import { ZodPipe } from '../http/zod-body.pipe.js';
import { IpAllowlistBody, MfaRequirementBody } from './admin.schemas.js';

@ApiTags('administration')
@ApiBearerAuth()
@RequiresRole('admin')
@Controller('v1/admin/policies')
export class AdminPoliciesController {
  constructor(private readonly services: ServiceClient) {}

  @Get()
  @ApiOperation({ summary: "The organisation's policy: IP allow-list and MFA requirement" })
  get(@CurrentPrincipal() admin: Principal) {
    return this.services.call(PolicyRpc.getPolicy, { orgId: admin.org });
  }

  @Put('ip-allowlist')
  @RequiresRecentSignIn()
  @ApiOperation({
    summary: 'Restrict logins to IPv4/IPv6 addresses and CIDR ranges; an empty list lifts the restriction',
  })
  @ApiBody({ schema: z.toJSONSchema(IpAllowlistBody) as object })
  setIpAllowlist(@CurrentPrincipal() admin: Principal, @Body(new ZodPipe(IpAllowlistBody)) body: IpAllowlistBody) {
    return this.services.call(PolicyRpc.setIpAllowlist, { orgId: admin.org, cidrs: body.cidrs, setBy: admin.sub });
  }

  @Put('mfa')
  @RequiresRecentSignIn()
  @ApiOperation({ summary: 'Require MFA for everyone or for given roles' })
  @ApiBody({ schema: z.toJSONSchema(MfaRequirementBody) as object })
  setMfaRequirement(
    @CurrentPrincipal() admin: Principal,
    @Body(new ZodPipe(MfaRequirementBody)) body: MfaRequirementBody,
  ) {
    return this.services.call(PolicyRpc.setMfaRequirement, { orgId: admin.org, ...body, setBy: admin.sub });
  }
}
