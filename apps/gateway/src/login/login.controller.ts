import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Public } from '../auth/auth.decorators.js';
import { ClientIp, UserAgent } from '../http/client-ip.js';
import { ZodPipe } from '../http/zod-body.pipe.js';
import { LoginThrottlerGuard } from '../rate-limit/login-throttler.guard.js';
import { recordLoginStep } from './login-outcomes.js';
import { LoginBody, MfaLoginBody } from './login.schemas.js';
import { LoginService } from './login.service.js';

@ApiTags('login')
@Public()
@UseGuards(LoginThrottlerGuard)
@Controller('v1/auth/login')
export class LoginController {
  constructor(private readonly login: LoginService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Email and password: authenticated, mfa_required, mfa_enrollment_required or password_change_required',
  })
  @ApiBody({ schema: z.toJSONSchema(LoginBody) as object })
  withPassword(@Body(new ZodPipe(LoginBody)) body: LoginBody, @ClientIp() ip: string, @UserAgent() userAgent: string) {
    return recordLoginStep('password', ip, () => this.login.withPassword(body.email, body.password, { ip, userAgent }));
  }

  @Post('mfa')
  @HttpCode(200)
  @ApiOperation({
    summary: 'The second step: the mfaToken of the first and a current code, or a recovery code (used up)',
  })
  @ApiBody({ schema: z.toJSONSchema(MfaLoginBody, { io: 'input' }) as object })
  withSecondFactor(
    @Body(new ZodPipe(MfaLoginBody)) { mfaToken, code, recoveryCode }: MfaLoginBody,
    @ClientIp() ip: string,
    @UserAgent() userAgent: string,
  ) {
    const context = { ip, userAgent };
    // The body's schema lets exactly one of the two through.
    return recoveryCode === undefined
      ? recordLoginStep('mfa', ip, () => this.login.withCode(mfaToken, code!, context))
      : recordLoginStep('recovery_code', ip, () => this.login.withRecoveryCode(mfaToken, recoveryCode, context));
  }
}
