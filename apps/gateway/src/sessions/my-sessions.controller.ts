import { Controller, Delete, Get, HttpCode, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SessionRpc } from '#contracts';
import { ServiceClient } from '#messaging';
import { CurrentPrincipal } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/token.service.js';
import { ZodPipe } from '../http/zod-body.pipe.js';
import { SessionIdParam } from './sessions.schemas.js';

@ApiTags('self-service')
@ApiBearerAuth()
@Controller('v1/me/sessions')
export class MySessionsController {
  constructor(private readonly services: ServiceClient) {}

  @Get()
  @ApiOperation({ summary: 'The signed-in devices: started, last refreshed, IP, user agent, and which is this one' })
  async list(@CurrentPrincipal() principal: Principal) {
    const { sessions } = await this.services.call(SessionRpc.listSessions, { userId: principal.sub });
    return { sessions: sessions.map((session) => ({ ...session, current: session.id === principal.sid })) };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Ends one of your sessions (a lost device); its access tokens are refused within seconds' })
  async revoke(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ZodPipe(SessionIdParam)) sessionId: string,
  ): Promise<void> {
    await this.services.call(SessionRpc.revokeSession, { userId: principal.sub, sessionId });
  }
}
