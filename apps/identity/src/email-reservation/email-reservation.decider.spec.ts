import { describe, expect, it } from 'vitest';
import { normaliseEmail } from './email.js';
import {
  EmailTaken,
  emailReservationDecider,
  type EmailReservationCommand,
  type EmailReservationEvent,
  type EmailReserved,
} from './email-reservation.decider.js';

const given = (...events: EmailReservationEvent[]) => ({
  when: (command: EmailReservationCommand) =>
    emailReservationDecider.decide(
      command,
      events.reduce(emailReservationDecider.evolve, emailReservationDecider.initialState()),
    ),
});

const email = normaliseEmail('ann@example.org');
const now = new Date('2025-03-01T10:00:00.000Z');
const reserve = (userId: string): EmailReservationCommand => ({ type: 'ReserveEmail', data: { email, userId, now } });
const reservedForU1: EmailReserved = {
  type: 'EmailReserved',
  data: { schemaVersion: 1, email, userId: 'u1', reservedAt: '2025-03-01T10:00:00.000Z' },
};

describe('Email reservation decider', () => {
  it('reserves a free address for a user', () => {
    expect(given().when(reserve('u1'))).toEqual([reservedForU1]);
  });

  it('answers email_taken when another user holds the address', () => {
    expect(() => given(reservedForU1).when(reserve('u2'))).toThrow(EmailTaken);
    expect(() => given(reservedForU1).when(reserve('u2'))).toThrow(expect.objectContaining({ code: 'email_taken' }));
  });

  it('appends nothing when the same user reserves again (a retried registration)', () => {
    expect(given(reservedForU1).when(reserve('u1'))).toEqual([]);
  });

  it('remembers who holds the address', () => {
    expect(emailReservationDecider.evolve(emailReservationDecider.initialState(), reservedForU1)).toEqual({
      status: 'reserved',
      email,
      userId: 'u1',
    });
  });
});
