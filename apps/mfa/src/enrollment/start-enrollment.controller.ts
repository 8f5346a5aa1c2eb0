import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import { MfaRpc, type EnrollmentView } from '#contracts';
import { CONFIG, type Config } from '#config';
import { answer } from '#messaging';
import { CLOCK, type Clock } from '../clock.js';
import { SecretCipher } from '../totp/secret-cipher.js';
import { DEFAULT_TOTP_PARAMETERS, generateSecret, otpauthUri, qrCodeDataUrl } from '../totp/totp.js';
import { MfaEnrollments } from '../write-model/mfa-enrollments.js';

/**
 * `mfa.start-enrollment`: a fresh 160-bit secret, sealed (AAD: the user id)
 * before it enters the event; the plaintext leaves the service this once, in
 * the answer, for the user to scan or type in.
 */
@Controller()
export class StartEnrollmentController {
  constructor(
    private readonly enrollments: MfaEnrollments,
    private readonly cipher: SecretCipher,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONFIG) private readonly config: Config,
  ) {
    // The Key Uri Format separates issuer and account with ':'; refuse at start rather than at every enrollment.
    if (config.TOTP_ISSUER.includes(':')) throw new Error('invalid configuration: TOTP_ISSUER must not contain ":"');
  }

  @MessagePattern(MfaRpc.startEnrollment.pattern)
  startEnrollment(@Payload() payload: unknown) {
    return answer(MfaRpc.startEnrollment, payload, async ({ userId, label }): Promise<EnrollmentView> => {
      const now = this.clock.now();
      const secret = generateSecret();
      const issuer = this.config.TOTP_ISSUER;
      const uri = otpauthUri({ issuer, label, secret, ...DEFAULT_TOTP_PARAMETERS });
      const qrCode = await qrCodeDataUrl(uri);
      const sealed = this.cipher.encrypt(secret, userId);
      const state = await this.enrollments.execute(userId, now, () => ({
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
    });
  }
}
