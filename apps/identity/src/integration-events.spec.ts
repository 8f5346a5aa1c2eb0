import { describe, expect, it } from 'vitest';
import { toIntegrationData } from './integration-events.js';
import { normaliseEmail } from './email-reservation/email.js';
import type { EmailReserved } from './email-reservation/email-reservation.decider.js';
import type { OrganisationCreated } from './organisations/organisation.decider.js';
import type { UserRegistered, UserRolesChanged } from './users/user.decider.js';

const email = normaliseEmail('ann@example.org');
const passwordHash = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g';

describe('toIntegrationData', () => {
  it('publishes UserRegistered without the password hash', () => {
    const event: UserRegistered = {
      type: 'UserRegistered',
      data: {
        schemaVersion: 1,
        userId: 'u1',
        orgId: 'o1',
        email,
        passwordHash,
        roles: ['admin'],
        registeredAt: '2025-03-01T10:00:00.000Z',
      },
    };
    const published = toIntegrationData(event);
    expect(published).toEqual({
      schemaVersion: 1,
      userId: 'u1',
      orgId: 'o1',
      email,
      roles: ['admin'],
      registeredAt: '2025-03-01T10:00:00.000Z',
    });
    expect(JSON.stringify(published)).not.toContain('argon2');
  });

  it('drops fields it does not know, so a field added later stays private until listed', () => {
    expect(
      toIntegrationData({ type: 'UserRolesChanged', data: { schemaVersion: 1, userId: 'u1', roles: [], secret: 'x' } }),
    ).toEqual({ schemaVersion: 1, userId: 'u1', roles: [] });
  });

  it('publishes role changes and organisations as they are', () => {
    const rolesChanged: UserRolesChanged = {
      type: 'UserRolesChanged',
      data: {
        schemaVersion: 1,
        userId: 'u1',
        roles: ['billing'],
        changedBy: 'a1',
        changedAt: '2025-03-01T10:00:00.000Z',
      },
    };
    const created: OrganisationCreated = {
      type: 'OrganisationCreated',
      data: { schemaVersion: 1, orgId: 'o1', name: 'Operator', createdAt: '2025-03-01T10:00:00.000Z', bootstrap: true },
    };
    expect(toIntegrationData(rolesChanged)).toEqual(rolesChanged.data);
    expect(toIntegrationData(created)).toEqual(created.data);
  });

  it('does not publish email reservations or unknown event types', () => {
    const reserved: EmailReserved = {
      type: 'EmailReserved',
      data: { schemaVersion: 1, email, userId: 'u1', reservedAt: '2025-03-01T10:00:00.000Z' },
    };
    expect(toIntegrationData(reserved)).toBeNull();
    expect(toIntegrationData({ type: 'toString', data: {} })).toBeNull();
  });
});
