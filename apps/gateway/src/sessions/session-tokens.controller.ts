import { Body, Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { SessionRpc } from '#contracts';
import { CLOCK, type Clock } from '#config';
import { ServiceClient } from '#messaging';
import { Public } from '../auth/auth.decorators.js';
import { TokenService } from '../auth/token.service.js';
import { ClientIp, UserAgent } from '../http/client-ip.js';
import { ZodPipe } from '../http/zod-body.pipe.js';
import { authenticated } from './session-tokens.js';
import { RefreshBody } from './sessions.schemas.js';

/**
 * A session's tokens: a refresh token for a new access token (and a new
 * refresh token), and logout. Public: the refresh token is the credential.
 * No password hashing on this path (identity compares SHA-256 hashes).
 */
@ApiTags('login')
@Public()
@Controller('v1/auth')
export class SessionTokensController {
  constructor(
    private readonly services: ServiceClient,
    private readonly tokens: TokenService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post('refresh')
  @HttpCode(200)
  @ApiOperation({
    summary: 'A new access token and a new refresh token; a refresh token used before ends the whole session',
  })
  @ApiBody({ schema: z.toJSONSchema(RefreshBody) as object })
  async refresh(
    @Body(new ZodPipe(RefreshBody)) body: RefreshBody,
    @ClientIp() ip: string,
    @UserAgent() userAgent: string,
  ) {
    const session = await this.services.call(SessionRpc.refreshSession, {
      refreshToken: body.refreshToken,
      context: { ip, userAgent },
    });
    return authenticated(this.tokens, session, this.clock.now());
  }

  @Post('logout')
  @HttpCode(204)
  @ApiOperation({ summary: "Ends the refresh token's session: its access tokens are refused within seconds" })
  @ApiBody({ schema: z.toJSONSchema(RefreshBody) as object })
  async logout(@Body(new ZodPipe(RefreshBody)) body: RefreshBody): Promise<void> {
    await this.services.call(SessionRpc.endSession, { refreshToken: body.refreshToken });
  }
}
