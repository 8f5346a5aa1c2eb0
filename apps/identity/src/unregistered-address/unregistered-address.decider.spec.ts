import { describe, expect, it } from 'vitest';
import { deciderSpec } from '#testing';
import { AccountLocked, IpNotAllowed, TooManyAttempts } from '../password-attempts/password-attempts.errors.js';
import { InvalidCredentials } from '../users/user.errors.js';
import type { UnregisteredAddressCommand } from './unregistered-address.commands.js';
import { rejectionOf, unregisteredAddressDecider } from './unregistered-address.decider.js';
import {
  unregisteredAddressStream,
  type PasswordCheckFailed,
  type UnregisteredAddressEvent,
} from './unregistered-address.events.js';

const { given } = deciderSpec(unregisteredAddressDecider);

const context = { ip: '198.51.100.4', userAgent: 'spray/1.0' };
const record = (
  now: string,
  reason: 'wrong_password' | 'ip_not_allowed' = 'wrong_password',
): UnregisteredAddressCommand => ({
  type: 'RecordFailedPassword',
  data: { reason, context, now: new Date(now) },
});
const failed = (
  failedAt: string,
  reason: 'wrong_password' | 'ip_not_allowed' = 'wrong_password',
): PasswordCheckFailed => ({
  type: 'PasswordCheckFailed',
  data: { reason, ...context, failedAt },
});
const hourly = (count: number): PasswordCheckFailed[] =>
  Array.from({ length: count }, (_, index) =>
    failed(new Date(Date.UTC(2025, 2, 10, 12) - (count - 1 - index) * 3_600_000).toISOString()),
  );

describe('Unregistered address decider (throttled exactly like an account)', () => {
  it('names the stream by a hash of the address as typed, the same for any spelling, never the address', () => {
    const stream = unregisteredAddressStream(' Nobody@Example.org');
    expect(stream).toBe(unregisteredAddressStream('nobody@example.org'));
    expect(stream).toMatch(/^unregistered_address-[0-9a-f]{64}$/);
    expect(unregisteredAddressStream('not an address')).toMatch(/^unregistered_address-[0-9a-f]{64}$/);
  });

  it('records every attempt as a failure, with its reason', () => {
    given()
      .when(record('2025-03-10T12:00:00.000Z'))
      .then([failed('2025-03-10T12:00:00.000Z')]);
    given()
      .when(record('2025-03-10T12:00:00.000Z', 'ip_not_allowed'))
      .then([failed('2025-03-10T12:00:00.000Z', 'ip_not_allowed')]);
  });

  it('makes the sixth attempt wait as an account would, 1 s after the fifth failure, recording nothing', () => {
    const scenario = given(...hourly(5));
    expect(() => scenario.when(record('2025-03-10T12:00:00.400Z')).events()).toThrow(
      expect.objectContaining({ code: 'too_many_attempts', details: { retryAfterSeconds: 1 } }),
    );
    scenario.when(record('2025-03-10T12:00:00.999Z')).thenThrows(TooManyAttempts);
    scenario.when(record('2025-03-10T12:00:01.000Z')).then([failed('2025-03-10T12:00:01.000Z')]);
  });

  it('locks with the hundredth failure, and then refuses for good', () => {
    const hundredth = given(...hourly(99)).when(record('2025-03-10T13:00:00.000Z'));
    hundredth.then([
      failed('2025-03-10T13:00:00.000Z'),
      { type: 'AddressLocked', data: { lockedAt: '2025-03-10T13:00:00.000Z' } },
    ]);
    const locked: UnregisteredAddressEvent[] = [
      ...hourly(100),
      { type: 'AddressLocked', data: { lockedAt: '2025-03-10T12:00:00.000Z' } },
    ];
    given(...locked)
      .when(record('2027-01-01T00:00:00.000Z'))
      .thenThrows(AccountLocked, 'account_locked');
  });

  it('answers a failure as an account would: invalid_credentials, or ip_not_allowed', () => {
    expect(rejectionOf([failed('2025-03-10T12:00:00.000Z')])).toBeInstanceOf(InvalidCredentials);
    expect(rejectionOf([failed('2025-03-10T12:00:00.000Z', 'ip_not_allowed')])).toBeInstanceOf(IpNotAllowed);
  });
});
