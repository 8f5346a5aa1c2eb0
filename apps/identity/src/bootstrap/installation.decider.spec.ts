import { describe, expect, it } from 'vitest';
import { normaliseEmail } from '../email-reservation/email.js';
import {
  installationDecider,
  type InstallationBootstrapped,
  type InstallationCommand,
  type InstallationEvent,
} from './installation.decider.js';

const given = (...events: InstallationEvent[]) => ({
  when: (command: InstallationCommand) =>
    installationDecider.decide(command, events.reduce(installationDecider.evolve, installationDecider.initialState())),
});

const adminEmail = normaliseEmail('admin@example.org');
const bootstrap = (orgId: string, adminId: string): InstallationCommand => ({
  type: 'BootstrapInstallation',
  data: { orgId, adminId, adminEmail, organisationName: 'Operator', now: new Date('2025-03-01T10:00:00.000Z') },
});
const bootstrapped: InstallationBootstrapped = {
  type: 'InstallationBootstrapped',
  data: {
    schemaVersion: 1,
    orgId: 'o1',
    adminId: 'a1',
    adminEmail,
    organisationName: 'Operator',
    bootstrappedAt: '2025-03-01T10:00:00.000Z',
  },
};

describe('Installation decider', () => {
  it('records the ids chosen by the first bootstrap', () => {
    expect(given().when(bootstrap('o1', 'a1'))).toEqual([bootstrapped]);
  });

  it('changes nothing once bootstrapped, whatever ids a later start chose', () => {
    expect(given(bootstrapped).when(bootstrap('o2', 'a2'))).toEqual([]);
  });

  it('remembers the ids', () => {
    expect(installationDecider.evolve(installationDecider.initialState(), bootstrapped)).toEqual({
      status: 'bootstrapped',
      orgId: 'o1',
      adminId: 'a1',
      adminEmail,
      organisationName: 'Operator',
    });
  });
});
