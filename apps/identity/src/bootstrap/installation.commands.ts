import type { InstallationBootstrapped } from './installation.events.js';

export type BootstrapInstallation = {
  readonly type: 'BootstrapInstallation';
  readonly data: Omit<InstallationBootstrapped['data'], 'bootstrappedAt'> & { readonly now: Date };
};

export type InstallationCommand = BootstrapInstallation;
