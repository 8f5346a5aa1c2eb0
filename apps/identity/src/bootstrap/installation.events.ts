import type { NormalisedEmail } from '../email-reservation/email.js';

/** One per installation: the ids of the first organisation and admin, chosen once. */
export const INSTALLATION_STREAM = 'installation';

/**
 * Appended at `no_stream` before anything else of the bootstrap is written, so
 * of two instances starting at once (or a restart) all agree on the same ids,
 * and the remaining steps are idempotent on them. Never published.
 */
export type InstallationBootstrapped = {
  readonly type: 'InstallationBootstrapped';
  readonly data: {
    readonly orgId: string;
    readonly organisationName: string;
    readonly adminId: string;
    readonly adminEmail: NormalisedEmail;
    readonly bootstrappedAt: string;
  };
};

export type InstallationEvent = InstallationBootstrapped;
