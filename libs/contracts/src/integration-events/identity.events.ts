/**
 * `auth.identity.events`: users', organisations' and sessions' events as
 * identity publishes them (its `*.public.ts` allow-lists). Never a password,
 * a password hash or a refresh token, nor its hash.
 */
import { z } from 'zod';
import { authMethod } from '../session.contract.js';
import { attemptContext, instant, integrationEventContract, publishedId } from './envelope.js';

const roles = z.array(z.string().min(1).max(64)).max(32);
const user = { service: 'identity', keyedBy: 'userId', streamPrefix: 'user-' } as const;
const userIds = { aggregateId: 'u-4f1c', userId: 'u-4f1c' };
const admin = 'u-admin-1';

export const userRegisteredV2 = integrationEventContract({
  ...user,
  type: 'UserRegistered',
  schemaVersion: 2,
  summary: 'A user was registered (by the bootstrap, or by an admin of their organisation).',
  payload: z.object({
    userId: publishedId,
    orgId: publishedId,
    email: z.string().min(3).max(254),
    roles,
    passwordChangeRequired: z.boolean().describe('Set by an admin: the user must choose their own at sign-in'),
    registeredAt: instant,
  }),
  exampleIds: { ...userIds, orgId: 'o-7b2e' },
  exampleData: {
    userId: 'u-4f1c',
    orgId: 'o-7b2e',
    email: 'ada@example.com',
    roles: ['accounting'],
    passwordChangeRequired: true,
    registeredAt: '2031-03-04T05:06:07.000Z',
  },
});

export const userRolesChangedV1 = integrationEventContract({
  ...user,
  type: 'UserRolesChanged',
  schemaVersion: 1,
  summary: "An admin changed a user's roles (their sessions are revoked).",
  payload: z.object({ userId: publishedId, roles, changedBy: publishedId, changedAt: instant }),
  exampleIds: userIds,
  exampleData: {
    userId: 'u-4f1c',
    roles: ['accounting', 'billing'],
    changedBy: admin,
    changedAt: '2031-03-04T05:06:07.000Z',
  },
});

export const userPasswordChangedV1 = integrationEventContract({
  ...user,
  type: 'UserPasswordChanged',
  schemaVersion: 1,
  summary: 'A user changed their password, proving the current one.',
  payload: z.object({ userId: publishedId, changedAt: instant }),
  exampleIds: userIds,
  exampleData: { userId: 'u-4f1c', changedAt: '2031-03-04T05:06:07.000Z' },
});

export const userPasswordSetByAdminV1 = integrationEventContract({
  ...user,
  type: 'UserPasswordSetByAdmin',
  schemaVersion: 1,
  summary: "An admin set a user's password; the user must change it at the next sign-in (also unlocks).",
  payload: z.object({ userId: publishedId, setBy: publishedId, setAt: instant }),
  exampleIds: userIds,
  exampleData: { userId: 'u-4f1c', setBy: admin, setAt: '2031-03-04T05:06:07.000Z' },
});

export const passwordCheckFailedV1 = integrationEventContract({
  ...user,
  type: 'PasswordCheckFailed',
  schemaVersion: 1,
  summary: "A counted failed password: a wrong one, or any from an address the organisation's allow-list refuses.",
  payload: z.object({
    userId: publishedId,
    reason: z.enum(['wrong_password', 'ip_not_allowed']),
    ...attemptContext.shape,
    failedAt: instant,
  }),
  exampleIds: userIds,
  exampleData: {
    userId: 'u-4f1c',
    reason: 'wrong_password',
    ip: '203.0.113.9',
    userAgent: 'Mozilla/5.0',
    failedAt: '2031-03-04T05:06:07.000Z',
  },
});

export const passwordCheckSucceededV1 = integrationEventContract({
  ...user,
  type: 'PasswordCheckSucceeded',
  schemaVersion: 1,
  summary: 'A correct password after failures: the count starts again.',
  payload: z.object({ userId: publishedId, ...attemptContext.shape, succeededAt: instant }),
  exampleIds: userIds,
  exampleData: {
    userId: 'u-4f1c',
    ip: '203.0.113.9',
    userAgent: 'Mozilla/5.0',
    succeededAt: '2031-03-04T05:06:07.000Z',
  },
});

export const userLockedV1 = integrationEventContract({
  ...user,
  type: 'UserLocked',
  schemaVersion: 1,
  summary: 'Too many failed passwords: the account is locked until an admin unlocks it.',
  payload: z.object({ userId: publishedId, lockedAt: instant }),
  exampleIds: userIds,
  exampleData: { userId: 'u-4f1c', lockedAt: '2031-03-04T05:06:07.000Z' },
});

export const userUnlockedV1 = integrationEventContract({
  ...user,
  type: 'UserUnlocked',
  schemaVersion: 1,
  summary: 'An admin lifted the lock and the delay, and said why.',
  payload: z.object({
    userId: publishedId,
    unlockedBy: publishedId,
    reason: z.string().max(1000),
    unlockedAt: instant,
  }),
  exampleIds: userIds,
  exampleData: {
    userId: 'u-4f1c',
    unlockedBy: admin,
    reason: 'called the help desk',
    unlockedAt: '2031-03-04T05:06:07.000Z',
  },
});

export const organisationCreatedV1 = integrationEventContract({
  service: 'identity',
  keyedBy: 'orgId',
  streamPrefix: 'org-',
  type: 'OrganisationCreated',
  schemaVersion: 1,
  summary: 'An organisation (a tenant) was created; `bootstrap` marks the first one, which has no `createdBy`.',
  payload: z.object({
    orgId: publishedId,
    name: z.string().min(1).max(200),
    createdAt: instant,
    createdBy: publishedId.optional(),
    bootstrap: z.boolean(),
  }),
  exampleIds: { aggregateId: 'o-7b2e', orgId: 'o-7b2e' },
  exampleData: {
    orgId: 'o-7b2e',
    name: 'Example Ltd',
    createdAt: '2031-03-04T05:06:07.000Z',
    createdBy: admin,
    bootstrap: false,
  },
});

const session = { service: 'identity', keyedBy: 'sessionId', streamPrefix: 'session-' } as const;
const sessionIds = { aggregateId: 's-93d0', userId: 'u-4f1c' };

export const sessionStartedV1 = integrationEventContract({
  ...session,
  type: 'SessionStarted',
  schemaVersion: 1,
  summary: 'A user signed in on a device: a session (refresh token) began.',
  payload: z.object({
    sessionId: publishedId,
    userId: publishedId,
    orgId: publishedId,
    amr: z.array(authMethod).max(4).describe('How the user proved who they are (RFC 8176): pwd, otp, rec'),
    authenticatedAt: instant,
    startedAt: instant,
    expiresAt: instant,
    context: attemptContext,
  }),
  exampleIds: { ...sessionIds, orgId: 'o-7b2e' },
  exampleData: {
    sessionId: 's-93d0',
    userId: 'u-4f1c',
    orgId: 'o-7b2e',
    amr: ['pwd', 'otp'],
    authenticatedAt: '2031-03-04T05:06:05.000Z',
    startedAt: '2031-03-04T05:06:07.000Z',
    expiresAt: '2031-04-03T05:06:07.000Z',
    context: { ip: '203.0.113.9', userAgent: 'Mozilla/5.0' },
  },
});

export const sessionRevokedV1 = integrationEventContract({
  ...session,
  type: 'SessionRevoked',
  schemaVersion: 1,
  summary:
    "A session ended before its time: its access tokens are refused from now on (the gateway's revocation view).",
  payload: z.object({
    sessionId: publishedId,
    userId: publishedId,
    revokedAt: instant,
    reason: z.enum([
      'logout',
      'revoked_by_user',
      'refresh_token_reused',
      'password_changed',
      'password_set_by_admin',
      'roles_changed',
      'mfa_activated',
      'mfa_deactivated',
      'mfa_reset',
    ]),
  }),
  exampleIds: sessionIds,
  exampleData: { sessionId: 's-93d0', userId: 'u-4f1c', revokedAt: '2031-03-04T05:06:07.000Z', reason: 'logout' },
});

/** Every event type of `auth.identity.events`, by type and schema version. */
export const IDENTITY_INTEGRATION_EVENTS = {
  UserRegistered: { 2: userRegisteredV2 },
  UserRolesChanged: { 1: userRolesChangedV1 },
  UserPasswordChanged: { 1: userPasswordChangedV1 },
  UserPasswordSetByAdmin: { 1: userPasswordSetByAdminV1 },
  PasswordCheckFailed: { 1: passwordCheckFailedV1 },
  PasswordCheckSucceeded: { 1: passwordCheckSucceededV1 },
  UserLocked: { 1: userLockedV1 },
  UserUnlocked: { 1: userUnlockedV1 },
  OrganisationCreated: { 1: organisationCreatedV1 },
  SessionStarted: { 1: sessionStartedV1 },
  SessionRevoked: { 1: sessionRevokedV1 },
} as const;
