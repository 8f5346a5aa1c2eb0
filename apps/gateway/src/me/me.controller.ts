import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { DomainError, IdentityRpc, MfaRpc } from '#contracts';
import { ServiceClient } from '#messaging';
import { AllowsEnrollmentToken, AllowsPasswordChangeToken, CurrentPrincipal } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/token.service.js';
import type { LoginContext } from '../login/login.service.js';
import { ClientIp, UserAgent } from '../http/client-ip.js';
import { ZodPipe } from '../http/zod-body.pipe.js';
import { ActivationBody, DeactivationBody, PasswordChangeBody, RecoveryCodesBody } from './me.schemas.js';

@ApiTags('self-service')
@ApiBearerAuth()
@Controller('v1/me')
export class MeController {
  constructor(private readonly services: ServiceClient) {}

  @Get()
  @AllowsEnrollmentToken()
  @ApiOperation({ summary: 'The signed-in user and their MFA status' })
  async me(@CurrentPrincipal() principal: Principal) {
    const [user, mfa] = await Promise.all([
      this.services.call(IdentityRpc.getUser, { userId: principal.sub }),
      this.services.call(MfaRpc.getStatus, { userId: principal.sub }),
    ]);
    return { id: user.id, email: user.email, orgId: user.orgId, roles: user.roles, mfa };
  }

  @Post('password')
  @HttpCode(200)
  @AllowsPasswordChangeToken()
  @ApiOperation({
    summary: 'Change the password, proving the current one (and a current code when MFA is active)',
    description: 'Also takes the passwordChangeToken of a login answered password_change_required.',
  })
  @ApiBody({ schema: z.toJSONSchema(PasswordChangeBody) as object })
  async changePassword(
    @CurrentPrincipal() principal: Principal,
    @Body(new ZodPipe(PasswordChangeBody)) body: PasswordChangeBody,
    @ClientIp() ip: string,
    @UserAgent() userAgent: string,
  ) {
    const context = { ip, userAgent };
    await this.verifyCodeIfMfaActive(principal.sub, body.code, context);
    const { currentPassword, newPassword } = body;
    // In the session it was made in (`sid`): identity then revokes the user's other sessions, not this one.
    return this.services.call(
      IdentityRpc.changePassword,
      { userId: principal.sub, currentPassword, newPassword, context },
      { actingSessionId: principal.sid },
    );
  }

  @Get('mfa')
  @AllowsEnrollmentToken()
  @ApiOperation({ summary: 'The MFA status: inactive, pending or active since when, and recovery codes left' })
  mfaStatus(@CurrentPrincipal() principal: Principal) {
    return this.services.call(MfaRpc.getStatus, { userId: principal.sub });
  }

  @Post('mfa/enrollment')
  @AllowsEnrollmentToken()
  @ApiOperation({ summary: 'Start MFA set-up: the secret, its otpauth:// URI and a QR code' })
  async startEnrollment(@CurrentPrincipal() principal: Principal) {
    const user = await this.services.call(IdentityRpc.getUser, { userId: principal.sub });
    const { secret, otpauthUri, qrCode } = await this.services.call(MfaRpc.startEnrollment, {
      userId: principal.sub,
      label: user.email,
    });
    return { secret, otpauthUri, qrCode };
  }

  @Post('mfa/activation')
  @HttpCode(200)
  @AllowsEnrollmentToken()
  @ApiOperation({
    summary: 'Activate MFA with the codes of two consecutive time-steps',
    description: 'Answers the first ten recovery codes: shown this once, stored only as keyed hashes.',
  })
  @ApiBody({ schema: z.toJSONSchema(ActivationBody) as object })
  activate(@CurrentPrincipal() principal: Principal, @Body(new ZodPipe(ActivationBody)) body: ActivationBody) {
    return this.services.call(MfaRpc.activate, { userId: principal.sub, ...body }, { actingSessionId: principal.sid });
  }

  @Post('mfa/recovery-codes')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Replace the recovery codes with ten new ones, for a current code',
    description: 'The new codes are shown this once; every code of the previous set stops working.',
  })
  @ApiBody({ schema: z.toJSONSchema(RecoveryCodesBody) as object })
  regenerateRecoveryCodes(
    @CurrentPrincipal() principal: Principal,
    @Body(new ZodPipe(RecoveryCodesBody)) body: RecoveryCodesBody,
    @ClientIp() ip: string,
    @UserAgent() userAgent: string,
  ) {
    return this.services.call(
      MfaRpc.regenerateRecoveryCodes,
      { userId: principal.sub, code: body.code, context: { ip, userAgent } },
      { actingSessionId: principal.sid },
    );
  }

  @Post('mfa/deactivation')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Deactivate MFA with a current code, or a recovery code (phone lost), and an explicit confirmation',
  })
  @ApiBody({ schema: z.toJSONSchema(DeactivationBody, { io: 'input' }) as object })
  async deactivate(
    @CurrentPrincipal() principal: Principal,
    @Body(new ZodPipe(DeactivationBody)) body: DeactivationBody,
    @ClientIp() ip: string,
    @UserAgent() userAgent: string,
  ) {
    const { status } = await this.services.call(
      MfaRpc.deactivate,
      {
        userId: principal.sub,
        ...(body.recoveryCode === undefined ? { code: body.code } : { recoveryCode: body.recoveryCode }),
        confirm: body.confirm === true,
        context: { ip, userAgent },
      },
      { actingSessionId: principal.sid },
    );
    return { status };
  }

  /**
   * With MFA active a password change needs a current code, checked by the mfa
   * service before identity is asked, so a wrong code changes nothing (and
   * counts toward the code lock-out). A code that passed is used up even when
   * identity then refuses the change (a wrong current password, a common new
   * one): the next attempt needs the next code.
   */
  private async verifyCodeIfMfaActive(userId: string, code: string | undefined, context: LoginContext): Promise<void> {
    const { status } = await this.services.call(MfaRpc.getStatus, { userId });
    if (status !== 'active') return;
    if (code === undefined)
      throw new DomainError('invalid_code', 'a current code from the authenticator app is required');
    // A challenge of its own: no mfaToken is involved, and the id is used once.
    await this.services.call(MfaRpc.verifyChallenge, { userId, code, context, challengeId: randomUUID() });
  }
}
