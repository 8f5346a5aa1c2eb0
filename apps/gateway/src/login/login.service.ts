import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  ADMIN_ROLE,
  DomainError,
  IdentityRpc,
  MfaRpc,
  mintRefreshToken,
  PolicyRpc,
  SessionRpc,
  type UserView,
} from '#contracts';
import { CLOCK, systemClock, type Clock } from '#config';
import { ServiceClient } from '#messaging';
import { TokenService, type AuthMethod, type Principal } from '../auth/token.service.js';
import { authenticated, type Authenticated } from '../sessions/session-tokens.js';

/** Signed in with a recovery code: how many of the set are left (the client may warn, or offer new ones). */
export type AuthenticatedWithRecoveryCode = Authenticated & { readonly recoveryCodesRemaining: number };

export type LoginOutcome =
  | Authenticated
  | AuthenticatedWithRecoveryCode
  | { status: 'mfa_required'; mfaToken: string; expiresIn: number }
  | { status: 'mfa_enrollment_required'; accessToken: string; tokenType: 'Bearer'; expiresIn: number }
  | { status: 'password_change_required'; passwordChangeToken: string; expiresIn: number };

export interface LoginContext {
  readonly ip: string;
  readonly userAgent: string;
}

/**
 * The login process: the address against the allow-list of the address's
 * organisation → credentials (refused, throttled or counted by identity) → a
 * password an admin set must be changed first → MFA status → with MFA, the
 * code step (policy → code → session); without, policy → enrolment or a
 * session. Seven request/replies for a login with MFA.
 */
@Injectable()
export class LoginService {
  constructor(
    private readonly services: ServiceClient,
    private readonly tokens: TokenService,
    @Optional() @Inject(CLOCK) private readonly clock: Clock = systemClock,
  ) {}

  async withPassword(email: string, password: string, context: LoginContext): Promise<LoginOutcome> {
    // The sign-in's instant (`auth_time`) is taken before the password is checked: a password or MFA
    // change after it revokes the session this sign-in starts (identity compares the two).
    const signInBegan = this.clock.now();
    const addressAllowed = await this.addressAllowed(email, context.ip);
    const user = await this.services.call(IdentityRpc.verifyCredentials, { email, password, addressAllowed, context });
    if (user.passwordChangeRequired) {
      // Good only for POST /v1/me/password, which asks for a code too when MFA is active.
      const { token, expiresIn } = this.tokens.issue('password-change', {
        sub: user.id,
        org: user.orgId,
        roles: user.roles,
        amr: ['pwd'],
      });
      return { status: 'password_change_required', passwordChangeToken: token, expiresIn };
    }
    const mfa = await this.services.call(MfaRpc.getStatus, { userId: user.id });
    const claims = { sub: user.id, org: user.orgId, roles: user.roles } as const;
    if (mfa.status === 'active') {
      // Policy is not asked again here: the address passed the allow-list before the password, this
      // token only opens the code step, and the code step asks policy again before any session.
      // To the millisecond (a NumericDate may have a fraction): the code step's session starts from it, and
      // an MFA change in the same second before the password step must not make this sign-in look older.
      const authTime = signInBegan.getTime() / 1000;
      const { token, expiresIn } = this.tokens.issue('mfa', { ...claims, amr: ['pwd'], authTime });
      return { status: 'mfa_required', mfaToken: token, expiresIn };
    }
    const decision = await this.evaluate(user, context.ip, false);
    // An admin without MFA may only set it up (step-up: administration needs a code).
    if (decision.enrollmentRequired || user.roles.includes(ADMIN_ROLE)) {
      const { token, expiresIn } = this.tokens.issue('enrollment', { ...claims, amr: ['pwd'] });
      return { status: 'mfa_enrollment_required', accessToken: token, tokenType: 'Bearer', expiresIn };
    }
    return this.authenticated({ ...claims, amr: ['pwd'] }, signInBegan, context);
  }

  async withCode(mfaToken: string, code: string, context: LoginContext): Promise<Authenticated> {
    const { signedIn } = await this.withSecondFactor(mfaToken, context, 'otp', (userId, challengeId) =>
      this.services.call(MfaRpc.verifyChallenge, { userId, code, context, challengeId }),
    );
    return signedIn;
  }

  /**
   * A recovery code instead of a code: the same step, checked by mfa under the
   * same lock-out, and used up. The session's `amr` says `rec`, not `otp`: the
   * authenticator was not used, so administration (which asks for `otp`) stays
   * closed until the user signs in with a code again.
   */
  async withRecoveryCode(
    mfaToken: string,
    recoveryCode: string,
    context: LoginContext,
  ): Promise<AuthenticatedWithRecoveryCode> {
    const { signedIn, verified } = await this.withSecondFactor(mfaToken, context, 'rec', (userId, challengeId) =>
      this.services.call(MfaRpc.verifyRecoveryCode, { userId, recoveryCode, context, challengeId }),
    );
    return { ...signedIn, recoveryCodesRemaining: verified.recoveryCodesRemaining };
  }

  /** The code step, whichever second factor `verify` checks with the mfa service. */
  private async withSecondFactor<Verified>(
    mfaToken: string,
    context: LoginContext,
    method: Extract<AuthMethod, 'otp' | 'rec'>,
    verify: (userId: string, challengeId: string) => Promise<Verified>,
  ): Promise<{ signedIn: Authenticated; verified: Verified }> {
    const pending = this.tokens.verifyMfaToken(mfaToken);
    // The address may have changed since the password step.
    await this.evaluate({ id: pending.sub, orgId: pending.org, roles: pending.roles }, context.ip, true);
    // The token's id makes it good for one successful code: mfa refuses it after that (invalid_mfa_token).
    const verified = await verify(pending.sub, pending.challengeId);
    const signInBegan = pending.authTime === undefined ? this.clock.now() : new Date(pending.authTime * 1000);
    const signedIn = await this.authenticated(
      { sub: pending.sub, org: pending.org, roles: pending.roles, amr: ['pwd', method] },
      signInBegan,
      context,
    );
    return { signedIn, verified };
  }

  /**
   * Asked before the password is checked, so that an address the allow-list
   * refuses gets `ip_not_allowed` whatever the password (identity records the
   * attempt). Identity names the organisation without telling whether the
   * address is registered; the same two calls are made either way.
   */
  private async addressAllowed(email: string, ip: string): Promise<boolean> {
    const { orgId } = await this.services.call(IdentityRpc.findLoginOrganisation, { email });
    if (orgId === null) return true;
    const { allowed } = await this.services.call(PolicyRpc.checkLoginAddress, { orgId, ip });
    return allowed;
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

  /** A session in identity (its claims identity's), and its first access and refresh tokens. */
  private async authenticated(
    claims: Omit<Principal, 'kind'>,
    signInBegan: Date,
    context: LoginContext,
  ): Promise<Authenticated> {
    const { sessionId, refreshToken, refreshTokenHash } = mintRefreshToken();
    const session = await this.services.call(SessionRpc.startSession, {
      sessionId,
      refreshTokenHash,
      userId: claims.sub,
      amr: [...claims.amr],
      authenticatedAt: signInBegan.toISOString(),
      context,
    });
    return authenticated(this.tokens, session, refreshToken, this.clock.now());
  }
}
