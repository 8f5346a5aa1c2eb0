/**
 * Key rotation's second half (`ops reencrypt`): a user's TOTP secret, sealed
 * under a previous key of the ring, sealed again under the current one, so
 * the previous key can be retired. Driven by the ops CLI against the mfa
 * store with the mfa service's own key configuration (no Nest, no bus), and
 * decided like any command: load → decide → append at the expected revision,
 * retried on a conflict with the running service by deciding again on what
 * it wrote. Idempotent: a secret already under the current key, or none in
 * use, records nothing.
 *
 * Recovery codes cannot follow: they are kept as HMACs under a key derived
 * from the ring key of their day, and re-keying them needs the codes, which
 * nobody has but their owner. A set with codes left under a previous key is
 * answered, so the operator knows that key is still needed (until the user
 * makes a new set).
 */
import { mfaStreamName } from '../mfa-enrollment/mfa-enrollment.events.js';
import type { MfaEnrollmentRepository } from '../mfa-enrollment/mfa-enrollment.repository.js';
import { liveSecretOf, recoveryCodesOf, recoveryCodesRemaining } from '../mfa-enrollment/mfa-enrollment.state.js';
import type { SecretCipher } from '../totp/secret-cipher.js';

/** `resealed`: under the current key now; `already_current`: it was; `no_secret`: none in use (none, or an expired set-up). */
export type ResealOutcome = 'resealed' | 'already_current' | 'no_secret';

export interface ResealResult {
  readonly outcome: ResealOutcome;
  /**
   * The previous key the user's unused recovery codes are hashed under, or
   * null (none left, or under the current key): that key stays needed.
   */
  readonly recoveryCodesKeyId: string | null;
}

export class SecretResealing {
  constructor(
    private readonly enrollments: MfaEnrollmentRepository,
    private readonly cipher: SecretCipher,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Reseals `userId`'s live secret under the current key. Throws
   * `SecretDecryptionFailed` when it cannot be opened (its key is not in the
   * ring, or it was tampered with), and the store's errors.
   */
  async reseal(userId: string): Promise<ResealResult> {
    const now = this.now();
    const handled = await this.enrollments.handle(mfaStreamName(userId), (state) => {
      const live = liveSecretOf(state, now);
      if (live === null || !this.cipher.isStale(live.secret))
        return { type: 'ResealSecret', data: { now, resealed: null } };
      const secret = this.cipher.encrypt(this.cipher.decrypt(live.secret, userId), userId);
      return { type: 'ResealSecret', data: { now, resealed: { enrollmentId: live.enrollmentId, secret } } };
    });
    const live = liveSecretOf(handled.state, now);
    if (live !== null && this.cipher.isStale(live.secret)) {
      throw new Error(`${mfaStreamName(userId)}: the secret is still under key ${live.secret.keyId} after resealing`);
    }
    const codes = recoveryCodesOf(handled.state);
    const stale = codes !== null && recoveryCodesRemaining(codes) > 0 && codes.keyId !== this.cipher.currentKeyId;
    return {
      outcome: handled.events.length > 0 ? 'resealed' : live === null ? 'no_secret' : 'already_current',
      recoveryCodesKeyId: stale ? codes.keyId : null,
    };
  }
}
