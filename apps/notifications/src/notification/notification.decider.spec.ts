import { describe, expect, it } from 'vitest';
import { deciderSpec } from '#testing';
import { notificationDecider } from './notification.decider.js';
import { NotificationClaimedElsewhere } from './notification.errors.js';
import type { NotificationEvent } from './notification.events.js';

const { given } = deciderSpec(notificationDecider);
const T0 = new Date('2031-03-04T05:06:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

const attempted = (attempt: number, by = 'a', seconds = 0, leaseSeconds = 60): NotificationEvent => ({
  type: 'NotificationAttempted',
  data: { attempt, by, startedAt: at(seconds).toISOString(), leaseUntil: at(seconds + leaseSeconds).toISOString() },
});
const failed = (attempt: number, seconds = 1): NotificationEvent => ({
  type: 'NotificationAttemptFailed',
  data: { attempt, error: 'EENVELOPE 451', failedAt: at(seconds).toISOString() },
});
const sent: NotificationEvent = {
  type: 'NotificationSent',
  data: { attempt: 1, messageId: '<e1@localhost>', sentAt: at(1).toISOString() },
};
const parked = (attempts: number, seconds = 9): NotificationEvent => ({
  type: 'NotificationParked',
  data: { reason: 'smtp_failed', attempts, lastError: 'EENVELOPE 451', parkedAt: at(seconds).toISOString() },
});

const start = (by: string, seconds: number) => ({
  type: 'StartAttempt' as const,
  data: { by, now: at(seconds), leaseUntil: at(seconds + 60) },
});
const failure = (maxAttempts: number, seconds = 9) => ({
  type: 'RecordFailure' as const,
  data: { error: 'EENVELOPE 451', maxAttempts, now: at(seconds) },
});

describe('notification decider', () => {
  it('takes a new message for its first try', () => {
    given()
      .when(start('a', 0))
      .then([attempted(1)]);
  });

  it('refuses a try while another instance holds an unexpired claim, and says until when', () => {
    const scenario = given(attempted(1, 'a', 0, 60)).when(start('b', 30));
    scenario.thenThrows(NotificationClaimedElsewhere);
    expect(scenario.events).toThrow(expect.objectContaining({ until: at(60) }));
  });

  it('lets another instance take over once the claim expired (its holder crashed mid-try)', () => {
    given(attempted(1, 'a', 0, 60))
      .when(start('b', 61))
      .then([attempted(2, 'b', 61)]);
  });

  it('lets the holder try again at once, and anyone after a recorded failure', () => {
    given(attempted(1, 'a'), failed(1))
      .when(start('a', 2))
      .then([attempted(2, 'a', 2)]);
    given(attempted(1, 'a'), failed(1))
      .when(start('b', 2))
      .then([attempted(2, 'b', 2)]);
  });

  it('does nothing more once sent: a redelivered event is not mailed again', () => {
    given(attempted(1), sent).when(start('b', 100)).thenNothingHappened();
    given(attempted(1), sent)
      .when({ type: 'RecordSent', data: { messageId: '<x>', now: at(2) } })
      .thenNothingHappened();
  });

  it('records the message id of the try that sent it', () => {
    given(attempted(1), failed(1), attempted(2, 'a', 2))
      .when({ type: 'RecordSent', data: { messageId: '<e1@localhost>', now: at(3) } })
      .then([
        { type: 'NotificationSent', data: { attempt: 2, messageId: '<e1@localhost>', sentAt: at(3).toISOString() } },
      ]);
  });

  it('records a failed try, and parks the message with the last error after the last allowed try', () => {
    given(attempted(1))
      .when(failure(3))
      .then([failed(1, 9)]);
    given(attempted(1), failed(1), attempted(2), failed(2), attempted(3))
      .when(failure(3))
      .then([failed(3, 9), parked(3)]);
  });

  it('counts a try cut short by a crash, so a message that crashes its sender is parked in the end', () => {
    given(attempted(1, 'a', 0), attempted(2, 'b', 61), attempted(3, 'c', 122))
      .when(failure(3, 130))
      .then([failed(3, 130), parked(3, 130)]);
  });

  it('parks a message without a recipient, once, and records its dead-lettering once', () => {
    const park = { type: 'Park' as const, data: { reason: 'unknown_recipient' as const, now: at(5) } };
    const parkedUnknown: NotificationEvent = {
      type: 'NotificationParked',
      data: { reason: 'unknown_recipient', attempts: 0, lastError: null, parkedAt: at(5).toISOString() },
    };
    given().when(park).then([parkedUnknown]);
    given(parkedUnknown).when(park).thenNothingHappened();
    const deadLettered = { type: 'RecordDeadLettered' as const, data: { now: at(6) } };
    given(parkedUnknown)
      .when(deadLettered)
      .then([{ type: 'NotificationDeadLettered', data: { deadLetteredAt: at(6).toISOString() } }]);
    given(parkedUnknown, { type: 'NotificationDeadLettered', data: { deadLetteredAt: at(6).toISOString() } })
      .when(deadLettered)
      .thenNothingHappened();
    given(attempted(1), sent).when(deadLettered).thenNothingHappened();
  });
});
