import { describe, expect, it } from 'vitest';
import type { IntegrationEvent } from '#contracts';
import type { RecordedEvent } from '#event-store';
import { partitionOfKey, type TopicRetention } from '../kafka/retained-log.js';
import { readTopicMessage } from '../kafka/topic-message.js';
import { TopicComparison } from './topic-comparison.js';

const USER = 'u-1';
let offset = 0;

function stored(
  revision: number,
  position: bigint,
  recordedAt = new Date('2031-03-04T05:06:07.000Z'),
  user = USER,
): { recorded: RecordedEvent; published: IntegrationEvent } {
  const id = `00000000-0000-4000-8000-00000000000${revision}`;
  const recorded: RecordedEvent = {
    id,
    stream: `mfa-${user}`,
    revision,
    position,
    type: 'MfaChallengeVerified',
    data: {},
    metadata: {},
    recordedAt,
  };
  const published: IntegrationEvent = {
    eventId: id,
    type: 'MfaChallengeVerified',
    schemaVersion: 2,
    aggregateId: user,
    userId: user,
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

  describe('events retention deleted from the topic', () => {
    const DAY = 86_400_000;
    const oldestRetained = Date.parse('2031-03-10T00:00:00.000Z');
    // Two users whose keys the relay's partitioner puts on different partitions of 4.
    const users = ['u-1', 'u-2', 'u-3', 'u-4', 'u-5', 'u-6', 'u-7', 'u-8', 'u-9'];
    const truncatedUser = users[0]!;
    const wholeUser = users.find((user) => partitionOfKey(user, 4) !== partitionOfKey(truncatedUser, 4))!;
    const retention = new Map<string, TopicRetention>([
      ['auth.mfa.events', { partitions: 4, truncated: new Map([[partitionOfKey(truncatedUser, 4), oldestRetained]]) }],
    ]);

    it('counts an event recorded before the oldest retained message of its partition as expired, not missing', () => {
      const check = comparison(100n);
      const old = stored(0, 10n, new Date(oldestRetained - 3 * DAY), truncatedUser);
      const kept = stored(1, 20n, new Date(oldestRetained), truncatedUser);
      for (const { recorded, published } of [old, kept]) check.expect('mfa', recorded, published);
      check.observe('mfa', message(kept.published));
      const { findings, summary } = check.result(retention);
      expect(findings).toEqual([]);
      expect(summary).toMatchObject({ expected: 2, found: 1, expired: 1, pending: 0 });
    });

    it("still names an event missing when it was recorded after its partition's oldest retained message", () => {
      const check = comparison(100n);
      const recent = stored(2, 30n, new Date(oldestRetained + 2 * DAY), truncatedUser);
      check.expect('mfa', recent.recorded, recent.published);
      const { findings, summary } = check.result(retention);
      expect(summary.expired).toBe(0);
      expect(findings.map((finding) => finding.message)).toEqual([
        expect.stringMatching(/^MfaChallengeVerified \S+ \(position 30\) is not on auth\.mfa\.events, though/),
      ]);
    });

    it('still names an old event missing when its own partition retains everything it ever had', () => {
      const check = comparison(100n);
      const old = stored(3, 40n, new Date(oldestRetained - 3 * DAY), wholeUser);
      check.expect('mfa', old.recorded, old.published);
      const { findings, summary } = check.result(retention);
      expect(summary.expired).toBe(0);
      expect(findings).toHaveLength(1);
      expect(findings[0]).toMatchObject({ stream: `mfa-${wholeUser}`, check: 'topic' });
    });

    it("counts an event after the relay's checkpoint as pending, whatever retention did", () => {
      const check = comparison(5n);
      const old = stored(4, 10n, new Date(oldestRetained - 3 * DAY), truncatedUser);
      check.expect('mfa', old.recorded, old.published);
      expect(check.result(retention).summary).toMatchObject({ pending: 1, expired: 0 });
    });
  });
});
