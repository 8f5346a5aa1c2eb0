import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deciderSpec } from '#testing';
import { normaliseEmail } from './email.js';
import type { EmailReservationCommand } from './email-reservation.commands.js';
import { emailReservationDecider } from './email-reservation.decider.js';
import { EmailTaken } from './email-reservation.errors.js';
import { emailReservationStream, type EmailReserved } from './email-reservation.events.js';

const { given } = deciderSpec(emailReservationDecider);

const email = normaliseEmail('ann@example.org');
const now = new Date('2025-03-01T10:00:00.000Z');
const reserve = (userId: string): EmailReservationCommand => ({ type: 'ReserveEmail', data: { email, userId, now } });
const reservedForU1: EmailReserved = {
  type: 'EmailReserved',
  data: { email, userId: 'u1', reservedAt: '2025-03-01T10:00:00.000Z' },
};

describe('Email reservation decider', () => {
  it('reserves a free address for a user', () => {
    given().when(reserve('u1')).then([reservedForU1]);
  });

  it('answers email_taken when another user holds the address', () => {
    given(reservedForU1).when(reserve('u2')).thenThrows(EmailTaken, 'email_taken');
  });

  it('appends nothing when the same user reserves again (a retried registration)', () => {
    given(reservedForU1).when(reserve('u1')).thenNothingHappened();
  });

  it('remembers who holds the address', () => {
    expect(emailReservationDecider.evolve(emailReservationDecider.initialState(), reservedForU1)).toEqual({
      status: 'reserved',
      email,
      userId: 'u1',
    });
  });
});

describe('emailReservationStream', () => {
  it('is email- and the SHA-256 of the normalised address, with no address in it', () => {
    const stream = emailReservationStream(normaliseEmail('Ann@Example.org'));
    expect(stream).toBe(`email-${createHash('sha256').update('ann@example.org').digest('hex')}`);
    expect(stream).toMatch(/^email-[0-9a-f]{64}$/);
  });

  it('is the same for every spelling of the same address', () => {
    expect(emailReservationStream(normaliseEmail(' ANN@example.org'))).toBe(
      emailReservationStream(normaliseEmail('ann@EXAMPLE.org ')),
    );
  });
});
