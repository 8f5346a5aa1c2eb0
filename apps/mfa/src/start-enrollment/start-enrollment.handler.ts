import { randomUUID } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { EnrollmentView } from '#contracts';
import { CLOCK, CONFIG, type Clock, type MfaConfig } from '#config';
import { MfaEnrollmentRepository } from '../mfa-enrollment/mfa-enrollment.repository.js';
import { SecretCipher } from '../totp/secret-cipher.js';
import { DEFAULT_TOTP_PARAMETERS, generateSecret, otpauthUri, qrCodeDataUrl } from '../totp/totp.js';
import { StartEnrollmentCommand } from './start-enrollment.command.js';

/**
 * `mfa.start-enrollment`: a fresh 160-bit secret, sealed (AAD: the user id)
 * before it enters the event; the plaintext leaves the service this once, in
 * the answer, for the user to scan or type in.
 */
@CommandHandler(StartEnrollmentCommand)
export class StartEnrollmentHandler implements ICommandHandler<StartEnrollmentCommand> {
  constructor(
    private readonly enrollments: MfaEnrollmentRepository,
    private readonly cipher: SecretCipher,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONFIG) private readonly config: MfaConfig,
  ) {
    // The Key Uri Format separates issuer and account with ':'; refuse at start rather than at every enrollment.
    if (config.TOTP_ISSUER.includes(':')) throw new Error('invalid configuration: TOTP_ISSUER must not contain ":"');
  }

  async execute({ request: { userId, label } }: StartEnrollmentCommand): Promise<EnrollmentView> {
    const now = this.clock.now();
    const secret = generateSecret();
    const issuer = this.config.TOTP_ISSUER;
    const uri = otpauthUri({ issuer, label, secret, ...DEFAULT_TOTP_PARAMETERS });
    const qrCode = await qrCodeDataUrl(uri);
    const sealed = this.cipher.encrypt(secret, userId);
    const state = await this.enrollments.execute(userId, () => ({
      type: 'StartEnrollment',
      data: {
        now,
        enrollmentId: randomUUID(),
        secret: sealed,
        ...DEFAULT_TOTP_PARAMETERS,
        issuer,
        label,
        ttlSeconds: this.config.MFA_ENROLLMENT_TTL_SECONDS,
      },
    }));
    if (state.status !== 'pending') throw new Error(`enrollment ended ${state.status}, expected pending`);
    return { secret, otpauthUri: uri, qrCode, expiresAt: state.enrollment.expiresAt };
  }
}
