import { describe, expect, it } from 'vitest';
import { readTopicMessage } from '../kafka/topic-message.js';
import { parseFollowArgs } from './follow-command.js';
import { followJson, followLine, matches, type FollowedEvent } from './follow-line.js';

const event: FollowedEvent = {
  service: 'mfa',
  eventId: 'e-1',
  type: 'MfaChallengeVerified',
  occurredAt: '2031-03-04T05:06:07.000Z',
  aggregateId: 'u-1',
  userId: 'u-1',
  orgId: 'o-1',
  correlationId: 'req-9',
};

describe('ops follow', () => {
  it('parses its options, and refuses what it cannot honour', () => {
    expect(
      parseFollowArgs(['--user', 'u-1', '--type', 'MfaActivated', '--type', 'MfaChallengeVerified', '--limit', '3']),
    ).toEqual({
      filter: { userId: 'u-1', types: new Set(['MfaActivated', 'MfaChallengeVerified']) },
      json: false,
      fromBeginning: false,
      limit: 3,
    });
    expect(parseFollowArgs(['--user', 'ann@example.org', '--for', '1.5', '--json', '--from-beginning'])).toEqual({
      filter: {},
      userEmail: 'ann@example.org',
      json: true,
      fromBeginning: true,
      forSeconds: 1.5,
    });
    expect(parseFollowArgs(['--type', 'MfaWhatever'])).toBe('no integration event type "MfaWhatever"');
    expect(parseFollowArgs(['--limit', '0'])).toContain('--limit');
    expect(parseFollowArgs(['--for', 'soon'])).toContain('--for');
    expect(parseFollowArgs(['--user', ' '])).toContain('--user');
    expect(parseFollowArgs(['stray'])).toMatch(/positional/i);
  });

  it('filters by user (the id or the aggregate) and by type', () => {
    expect(matches(event, {})).toBe(true);
    expect(matches(event, { userId: 'u-1', types: new Set(['MfaChallengeVerified']) })).toBe(true);
    expect(matches(event, { userId: 'u-2' })).toBe(false);
    expect(matches(event, { types: new Set(['MfaActivated']) })).toBe(false);
    expect(matches({ ...event, userId: undefined, aggregateId: 'o-1' }, { userId: 'o-1' })).toBe(true);
  });

  it('prints time, service, type, user and correlation, never the data', () => {
    expect(followLine(event)).toMatch(/^2031-03-04T05:06:07\.000Z\s+mfa\s+MfaChallengeVerified\s+u-1\s+req-9\n$/);
    expect(followLine({ ...event, userId: undefined, correlationId: undefined })).toMatch(/\s+org o-1\s+-\n$/);
    expect(JSON.parse(followJson(event))).toEqual({ ...event });
  });

  it('reads a message against the contracts: a broken one is named, not thrown', () => {
    const place = { topic: 'auth.mfa.events', partition: 1, offset: '7' };
    expect(readTopicMessage(place, Buffer.from('{not json'))).toMatchObject({
      outcome: 'invalid',
      problem: 'not JSON',
    });
    expect(readTopicMessage(place, Buffer.from(JSON.stringify({ eventId: 'e', type: 'Nope' })))).toMatchObject({
      outcome: 'invalid',
      eventId: 'e',
      type: 'Nope',
    });
    const unknown = {
      eventId: 'e',
      type: 'SomethingNew',
      schemaVersion: 1,
      aggregateId: 'u',
      occurredAt: '2031-03-04T05:06:07.000Z',
      source: { stream: 's', revision: 0, position: '1' },
      data: {},
    };
    expect(readTopicMessage(place, Buffer.from(JSON.stringify(unknown)))).toMatchObject({ outcome: 'unknown' });
    const activated = {
      ...unknown,
      type: 'MfaActivated',
      userId: 'u',
      data: { schemaVersion: 1, enrollmentId: 'n', activatedAt: '2031-03-04T05:06:07.000Z', steps: [1, 2] },
    };
    // The correlation id is the envelope's, as its contract checks it; none without one (no header is read).
    expect(
      readTopicMessage(place, Buffer.from(JSON.stringify({ ...activated, correlationId: 'req-7' }))),
    ).toMatchObject({ outcome: 'known', correlationId: 'req-7' });
    expect(readTopicMessage(place, Buffer.from(JSON.stringify(activated)))).toMatchObject({
      outcome: 'known',
      correlationId: undefined,
    });
    // One that could rewrite an operator's terminal breaks the contract: named, never printed.
    const hostile = readTopicMessage(
      place,
      Buffer.from(JSON.stringify({ ...activated, correlationId: 'req-7\u001b[2J' })),
    );
    expect(hostile).toMatchObject({ outcome: 'invalid', problem: expect.stringContaining('correlationId') });
    expect(JSON.stringify(hostile.outcome === 'invalid' ? hostile.problem : '')).not.toContain('req-7');
  });
});
