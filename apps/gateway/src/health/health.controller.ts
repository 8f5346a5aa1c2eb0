import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ServiceClient } from '#messaging';
import { Public } from '../auth/auth.decorators.js';
import { TokenService } from '../auth/token.service.js';
import { servicesHealth } from './service-health.js';

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
    const services = await servicesHealth(this.services);
    const up = Object.values(services).every((service) => service.status === 'up');
    response.status(up ? 200 : 503);
    return { status: up ? 'up' : 'degraded', services };
  }

  @Get('.well-known/jwks.json')
  @HttpCode(200)
  @ApiOperation({ summary: 'Public keys that verify access tokens (ES256)' })
  jwks() {
    return this.tokens.jwks();
  }
}
