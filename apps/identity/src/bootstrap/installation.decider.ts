import type { Decider } from '#event-store';
import type { NormalisedEmail } from '../email-reservation/email.js';

/** One per installation: the ids of the first organisation and admin, chosen once. */
export const INSTALLATION_STREAM = 'installation';

/**
 * Appended at `no_stream` before anything else of the bootstrap is written, so
 * of two instances starting at once (or a restart) all agree on the same ids,
 * and the remaining steps are idempotent on them.
 */
export type InstallationBootstrapped = {
  readonly type: 'InstallationBootstrapped';
  readonly data: {
    readonly schemaVersion: 1;
    readonly orgId: string;
    readonly organisationName: string;
    readonly adminId: string;
    readonly adminEmail: NormalisedEmail;
    readonly bootstrappedAt: string;
  };
};

export type InstallationEvent = InstallationBootstrapped;

export type BootstrapInstallation = {
  readonly type: 'BootstrapInstallation';
  readonly data: {
    readonly orgId: string;
    readonly organisationName: string;
    readonly adminId: string;
    readonly adminEmail: NormalisedEmail;
    readonly now: Date;
  };
};

export type InstallationCommand = BootstrapInstallation;

export type InstallationState =
  | { readonly status: 'new' }
  | {
      readonly status: 'bootstrapped';
      readonly orgId: string;
      readonly organisationName: string;
      readonly adminId: string;
      readonly adminEmail: NormalisedEmail;
    };

export const installationDecider = {
  initialState: (): InstallationState => ({ status: 'new' }),

  decide(command: InstallationCommand, state: InstallationState): InstallationEvent[] {
    switch (command.type) {
      case 'BootstrapInstallation': {
        // The first bootstrap stands: a later one (a restart, a changed environment) changes nothing.
        if (state.status === 'bootstrapped') return [];
        const { now, ...ids } = command.data;
        return [
          { type: 'InstallationBootstrapped', data: { schemaVersion: 1, ...ids, bootstrappedAt: now.toISOString() } },
        ];
      }
      default: {
        const unknown: never = command.type;
        throw new Error(`unknown command ${String(unknown)}`);
      }
    }
  },

  evolve(_state: InstallationState, event: InstallationEvent): InstallationState {
    switch (event.type) {
      case 'InstallationBootstrapped': {
        const { orgId, organisationName, adminId, adminEmail } = event.data;
        return { status: 'bootstrapped', orgId, organisationName, adminId, adminEmail };
      }
      default: {
        const unknown: never = event.type;
        throw new Error(`unknown event ${String(unknown)}`);
      }
    }
  },
} satisfies Decider<InstallationCommand, InstallationEvent, InstallationState>;
