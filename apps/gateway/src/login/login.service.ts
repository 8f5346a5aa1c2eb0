import { Injectable } from '@nestjs/common';
import { DomainError, IdentityRpc, MfaRpc, PolicyRpc, type UserView } from '#contracts';
import { ServiceClient } from '#messaging';
import { TokenService, type Principal } from '../auth/token.service.js';

export type LoginOutcome =
  | { status: 'authenticated'; accessToken: string; tokenType: 'Bearer'; expiresIn: number }
  | { status: 'mfa_required'; mfaToken: string; expiresIn: number }
  | { status: 'mfa_enrollment_required'; accessToken: string; tokenType: 'Bearer'; expiresIn: number };

export interface LoginContext {
  readonly ip: string;
  readonly userAgent: string;
}

/** The login process: credentials → MFA status → policy → the next step or a token. */
@Injectable()
export class LoginService {
  constructor(
    private readonly services: ServiceClient,
    private readonly tokens: TokenService,
  ) {}

  async withPassword(email: string, password: string, context: LoginContext): Promise<LoginOutcome> {
    const user = await this.services.call(IdentityRpc.verifyCredentials, { email, password });
    const mfa = await this.services.call(MfaRpc.getStatus, { userId: user.id });
    const mfaActive = mfa.status === 'active';
    const decision = await this.evaluate(user, context.ip, mfaActive);
    const claims = { sub: user.id, org: user.orgId, roles: user.roles } as const;
    if (mfaActive) {
      const { token, expiresIn } = this.tokens.issue('mfa', { ...claims, amr: ['pwd'] });
      return { status: 'mfa_required', mfaToken: token, expiresIn };
    }
    if (decision.enrollmentRequired) {
      const { token, expiresIn } = this.tokens.issue('enrollment', { ...claims, amr: ['pwd'] });
      return { status: 'mfa_enrollment_required', accessToken: token, tokenType: 'Bearer', expiresIn };
    }
    return this.authenticated({ ...claims, amr: ['pwd'] });
  }

  async withCode(mfaToken: string, code: string, context: LoginContext): Promise<LoginOutcome> {
    const pending = this.tokens.verifyMfaToken(mfaToken);
    // The address may have changed since the password step.
    await this.evaluate({ id: pending.sub, orgId: pending.org, roles: pending.roles }, context.ip, true);
    await this.services.call(MfaRpc.verifyChallenge, { userId: pending.sub, code, context });
    return this.authenticated({ sub: pending.sub, org: pending.org, roles: pending.roles, amr: ['pwd', 'otp'] });
  }

  private async evaluate(user: Pick<UserView, 'id' | 'orgId' | 'roles'>, ip: string, mfaActive: boolean) {
    const decision = await this.services.call(PolicyRpc.evaluateLogin, {
      orgId: user.orgId,
      roles: [...user.roles],
      ip,
      mfaActive,
    });
    if (!decision.allowed) throw new DomainError('ip_not_allowed', 'logins from this address are not allowed');
    return decision;
  }

  private authenticated(claims: Omit<Principal, 'kind'>): LoginOutcome {
    const { token, expiresIn } = this.tokens.issue('access', claims);
    return { status: 'authenticated', accessToken: token, tokenType: 'Bearer', expiresIn };
  }
}
