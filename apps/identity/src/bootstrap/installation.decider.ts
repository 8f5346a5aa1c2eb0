import { assertNever } from '#contracts';
import type { Decider } from '#event-store';
import type { InstallationCommand } from './installation.commands.js';
import type { InstallationBootstrapped, InstallationEvent } from './installation.events.js';

/** Bootstrapped: the ids the first bootstrap chose, which every later step and start uses. */
export type InstallationState =
  | { readonly status: 'new' }
  | ({ readonly status: 'bootstrapped' } & Omit<InstallationBootstrapped['data'], 'bootstrappedAt'>);

export const installationDecider = {
  initialState: (): InstallationState => ({ status: 'new' }),

  decide(command: InstallationCommand, state: InstallationState): InstallationEvent[] {
    switch (command.type) {
      case 'BootstrapInstallation': {
        // The first bootstrap stands: a later one (a restart, a changed environment) changes nothing.
        if (state.status === 'bootstrapped') return [];
        const { now, ...ids } = command.data;
        return [{ type: 'InstallationBootstrapped', data: { ...ids, bootstrappedAt: now.toISOString() } }];
      }
      default:
        return assertNever(command.type);
    }
  },

  evolve(_state: InstallationState, event: InstallationEvent): InstallationState {
    switch (event.type) {
      case 'InstallationBootstrapped': {
        const { orgId, organisationName, adminId, adminEmail } = event.data;
        return { status: 'bootstrapped', orgId, organisationName, adminId, adminEmail };
      }
      default:
        return assertNever(event.type);
    }
  },
} satisfies Decider<InstallationCommand, InstallationEvent, InstallationState>;
