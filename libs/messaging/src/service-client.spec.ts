import { Logger } from '@nestjs/common';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IdentityRpc, type UserView } from '#contracts';
import { InProcessBus } from './in-process/in-process-bus.js';
import { InProcessClient } from './in-process/in-process.client.js';
import { ServiceClient } from './service-client.js';

const USER: UserView = { id: 'u-1', email: 'ada@example.com', orgId: 'org-1', roles: ['billing'] };
/** Put into replies that break the contract: it must never reach the log. */
const SECRET = 'hunter2-secret';
const PATTERN = IdentityRpc.getUser.pattern;

/** The transport is the in-process one on a private bus, whose handler answers whatever the spec sets. */
describe('ServiceClient', () => {
  let bus: InProcessBus;
  let services: ServiceClient;
  let loggedErrors: ReturnType<typeof vi.spyOn>;
  const replyWith = (reply: unknown) => bus.handle(PATTERN, async () => reply);
  const getUser = () => services.call(IdentityRpc.getUser, { userId: USER.id });

  beforeEach(() => {
    bus = new InProcessBus();
    services = new ServiceClient(new InProcessClient(bus), 50, {});
    loggedErrors = vi.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => vi.restoreAllMocks());

  it('answers the value of a reply within the contract', async () => {
    replyWith({ ok: true, value: USER });

    expect(await getUser()).toEqual(USER);
    expect(loggedErrors).not.toHaveBeenCalled();
  });

  it('throws the refusal of a reply within the contract, with its details', async () => {
    const details = { lockedUntil: '2025-06-02T10:05:00.000Z', retryAfterSeconds: 240 };
    replyWith({ ok: false, error: { code: 'mfa_locked', message: 'locked', details } });

    await expect(getUser()).rejects.toMatchObject({
      name: 'DomainError',
      code: 'mfa_locked',
      message: 'locked',
      details,
    });
  });

  it('drops a field the contract does not name', async () => {
    replyWith({ ok: true, value: { ...USER, passwordHash: SECRET } });

    const user = await getUser();

    expect(user).toEqual(USER);
    expect(user).not.toHaveProperty('passwordHash');
  });

  it.each<[string, unknown, string]>([
    ['a field of the wrong type', { ok: true, value: { ...USER, roles: SECRET } }, 'value.roles'],
    ['a missing field', { ok: true, value: { id: USER.id, orgId: SECRET, roles: [] } }, 'value.email'],
    ['an unknown error code', { ok: false, error: { code: 'teapot', message: SECRET } }, 'error.code'],
    ['a value without its envelope', { ...USER, email: SECRET }, 'ok'],
    ['a string', SECRET, 'reply'],
    ['null', null, 'reply'],
    ['a list', [SECRET], 'reply'],
  ])('refuses a reply with %s as service_unavailable, logging where it broke but no value', async (_, reply, path) => {
    replyWith(reply);

    await expect(getUser()).rejects.toMatchObject({
      code: 'service_unavailable',
      message: 'identity answered something unexpected',
    });
    expect(loggedErrors).toHaveBeenCalledTimes(1);
    const logged = JSON.stringify(loggedErrors.mock.calls);
    expect(logged).toContain(`${PATTERN}: reply refused, it does not match the contract (${path}`);
    expect(logged).not.toContain(SECRET);
  });

  it('is service_unavailable when no reply comes in time', async () => {
    bus.handle(PATTERN, () => new Promise(() => undefined));

    await expect(getUser()).rejects.toMatchObject({
      code: 'service_unavailable',
      message: 'identity did not answer within 50 ms',
    });
  });

  it('is service_unavailable when the transport fails', async () => {
    await expect(getUser()).rejects.toMatchObject({
      code: 'service_unavailable',
      message: 'identity could not be reached',
    });
  });
});
