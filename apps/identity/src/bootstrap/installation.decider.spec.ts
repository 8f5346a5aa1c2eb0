import { describe, expect, it } from 'vitest';
import { deciderSpec } from '#testing';
import { normaliseEmail } from '../email-reservation/email.js';
import type { InstallationCommand } from './installation.commands.js';
import { installationDecider } from './installation.decider.js';
import type { InstallationBootstrapped } from './installation.events.js';

const { given } = deciderSpec(installationDecider);

const adminEmail = normaliseEmail('admin@example.org');
const bootstrap = (orgId: string, adminId: string): InstallationCommand => ({
  type: 'BootstrapInstallation',
  data: { orgId, adminId, adminEmail, organisationName: 'Operator', now: new Date('2025-03-01T10:00:00.000Z') },
});
const bootstrapped: InstallationBootstrapped = {
  type: 'InstallationBootstrapped',
  data: {
    orgId: 'o1',
    adminId: 'a1',
    adminEmail,
    organisationName: 'Operator',
    bootstrappedAt: '2025-03-01T10:00:00.000Z',
  },
};

describe('Installation decider', () => {
  it('records the ids chosen by the first bootstrap', () => {
    given().when(bootstrap('o1', 'a1')).then([bootstrapped]);
  });

  it('changes nothing once bootstrapped, whatever ids a later start chose', () => {
    given(bootstrapped).when(bootstrap('o2', 'a2')).thenNothingHappened();
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
