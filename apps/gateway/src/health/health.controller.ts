import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { DomainError, IdentityRpc, MfaRpc, PolicyRpc, type HealthReport } from '#contracts';
import { ServiceClient } from '#messaging';
import { Public } from '../auth/auth.decorators.js';
import { TokenService } from '../auth/token.service.js';

type ServiceHealth = HealthReport | { status: 'down'; error: string };

@ApiTags('operations')
@Public()
@Controller()
export class HealthController {
  constructor(
    private readonly services: ServiceClient,
    private readonly tokens: TokenService,
  ) {}

  @Get('health')
  @ApiOperation({ summary: 'Each service reached by a real round trip through the transport; 503 if one is down' })
  async health(@Res({ passthrough: true }) response: Response) {
    const probe = async (call: () => Promise<HealthReport>): Promise<ServiceHealth> => {
      try {
        return await call();
      } catch (error) {
        return { status: 'down', error: error instanceof DomainError ? error.message : 'unreachable' };
      }
    };
    const [identity, mfa, policy] = await Promise.all([
      probe(() => this.services.call(IdentityRpc.checkHealth, {})),
      probe(() => this.services.call(MfaRpc.checkHealth, {})),
      probe(() => this.services.call(PolicyRpc.checkHealth, {})),
    ]);
    const up = [identity, mfa, policy].every((service) => service.status === 'up');
    response.status(up ? 200 : 503);
    return { status: up ? 'up' : 'degraded', services: { identity, mfa, policy } };
  }

  @Get('.well-known/jwks.json')
  @HttpCode(200)
  @ApiOperation({ summary: 'Public keys that verify access tokens (ES256)' })
  jwks() {
    return this.tokens.jwks();
  }
}
