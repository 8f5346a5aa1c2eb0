import { describe, expect, it } from 'vitest';
import type { IntegrationEvent } from '#contracts';
import type { RecordedEvent } from '#event-store';
import { readTopicMessage } from '../kafka/topic-message.js';
import { TopicComparison } from './topic-comparison.js';

const USER = 'u-1';
let offset = 0;

function stored(revision: number, position: bigint): { recorded: RecordedEvent; published: IntegrationEvent } {
  const id = `00000000-0000-4000-8000-00000000000${revision}`;
  const recorded: RecordedEvent = {
    id,
    stream: `mfa-${USER}`,
    revision,
    position,
    type: 'MfaChallengeVerified',
    data: {},
    metadata: {},
    recordedAt: new Date('2031-03-04T05:06:07.000Z'),
  };
  const published: IntegrationEvent = {
    eventId: id,
    type: 'MfaChallengeVerified',
    schemaVersion: 2,
    aggregateId: USER,
    userId: USER,
    occurredAt: '2031-03-04T05:06:07.000Z',
    source: { stream: recorded.stream, revision, position: position.toString() },
    data: {
      schemaVersion: 2,
      step: 100 + revision,
      verifiedAt: '2031-03-04T05:06:07.000Z',
      challengeId: `c-${revision}`,
      context: { ip: '198.51.100.4', userAgent: 'spec' },
    },
  };
  return { recorded, published };
}

/** A message as the topic holds it: its JSON, at the next offset of partition 0. */
const message = (value: unknown, topic = 'auth.mfa.events') =>
  readTopicMessage({ topic, partition: 0, offset: String(offset++) }, Buffer.from(JSON.stringify(value)));

function comparison(checkpoint: bigint | undefined) {
  return new TopicComparison((service) => `auth.${service}.events`, new Map([['mfa', checkpoint]]));
}

describe("verify's comparison of a store with its topic", () => {
  it('finds nothing when every published event is on the topic, however often', () => {
    const check = comparison(20n);
    const events = [stored(0, 10n), stored(1, 20n)];
    for (const { recorded, published } of events) check.expect('mfa', recorded, published);
    for (const { published } of [...events, events[0]!]) check.observe('mfa', message(published));
    const { findings, summary } = check.result();
    expect(findings).toEqual([]);
    expect(summary).toMatchObject({ expected: 2, messages: 3, found: 2, duplicates: 1, pending: 0 });
  });

  it("names an event missing up to the relay's checkpoint, and counts one after it as pending", () => {
    const check = comparison(15n);
    const [early, late] = [stored(0, 10n), stored(1, 20n)];
    check.expect('mfa', early.recorded, early.published);
    check.expect('mfa', late.recorded, late.published);
    const { findings, summary } = check.result();
    expect(summary.pending).toBe(1);
    expect(findings).toEqual([
      {
        source: 'mfa',
        stream: `mfa-${USER}`,
        revision: 0,
        check: 'topic',
        message: expect.stringMatching(
          new RegExp(
            `^MfaChallengeVerified ${early.published.eventId} \\(position 10\\) is not on auth\\.mfa\\.events`,
          ),
        ),
      },
    ]);
  });

  it('names a forged message, a message that differs, and one that breaks its contract', () => {
    const check = comparison(20n);
    const real = stored(0, 10n);
    check.expect('mfa', real.recorded, real.published);
    const forgedId = '99999999-0000-4000-8000-000000000000';
    check.observe('mfa', message({ ...real.published, eventId: forgedId }));
    check.observe('mfa', message({ ...real.published, data: { ...real.published.data, step: 7 } }));
    check.observe('mfa', message({ eventId: 'x', type: 'MfaChallengeVerified' }));
    const { findings } = check.result();
    expect(findings.map((finding) => [finding.source, finding.stream, finding.revision, finding.message])).toEqual([
      ['mfa', `mfa-${USER}`, 0, expect.stringContaining(`${forgedId}, MfaChallengeVerified) matches no event`)],
      ['mfa', `mfa-${USER}`, 0, expect.stringMatching(/differs from the stored event's public form in data\.step$/)],
      [
        'mfa',
        expect.stringContaining('auth.mfa.events partition 0'),
        null,
        expect.stringContaining('breaks its contract'),
      ],
      ['mfa', expect.stringContaining('auth.mfa.events partition 0'), null, expect.stringContaining('(event x, ')],
    ]);
  });

  it('names an event found on the topic of another service', () => {
    const check = comparison(20n);
    const real = stored(0, 10n);
    check.expect('mfa', real.recorded, real.published);
    check.observe('identity', message(real.published, 'auth.identity.events'));
    const { findings } = check.result();
    expect(findings.map((finding) => finding.message)).toEqual([
      expect.stringContaining('is not on auth.mfa.events'),
      expect.stringContaining('the topic of identity, not of mfa'),
    ]);
  });

  it('takes a message of an older schema version for published before the type moved on, not a difference', () => {
    const check = comparison(20n);
    const real = stored(0, 10n);
    check.expect('mfa', real.recorded, real.published);
    check.observe(
      'mfa',
      message({ ...real.published, schemaVersion: 1, data: { ...real.published.data, schemaVersion: 1 } }),
    );
    const { findings, summary } = check.result();
    expect(findings.filter((finding) => finding.message.includes('differs'))).toEqual([]);
    expect(summary.olderVersions).toBe(1);
  });

  it('ignores envelope fields it does not compare (a correlation id added later)', () => {
    const check = comparison(20n);
    const real = stored(0, 10n);
    check.expect('mfa', real.recorded, real.published);
    check.observe('mfa', message({ ...real.published, correlationId: 'req-1', causationId: 'req-0' }));
    expect(check.result().findings).toEqual([]);
  });
});
