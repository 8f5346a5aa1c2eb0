import { describe, expect, it } from 'vitest';
import { CLOCK_SKEW_MS, mayHaveExpired, partitionOfKey, type TopicRetention } from './retained-log.js';

describe('what retention may have deleted of a topic', () => {
  it("maps a key to its partition as the relay's producer does (murmur2, as the Java client)", () => {
    // Apache Kafka's own murmur2 vectors (UtilsTest): -790332482, -985981536, 479470107, positive-masked.
    expect(partitionOfKey('foobar', 4)).toBe(2);
    expect(partitionOfKey('a-little-bit-long-string', 3)).toBe(2);
    expect(partitionOfKey('abc', 4)).toBe(3);
    expect(partitionOfKey('abc', 6)).toBe(3);
  });

  it('takes nothing for expired on a topic whose partitions all start at offset 0', () => {
    expect(mayHaveExpired(undefined, 'abc', new Date(0))).toBe(false);
    expect(mayHaveExpired({ partitions: 4, truncated: new Map() }, 'abc', new Date(0))).toBe(false);
  });

  it("only on the key's own partition, only before its oldest retained message (clock skew allowed)", () => {
    const oldest = Date.parse('2031-03-04T05:06:07.000Z');
    // abc maps to partition 3 of 4, foobar to 2, 21 to 0; partition 1 retains nothing at all.
    const retention: TopicRetention = {
      partitions: 4,
      truncated: new Map<number, number | null>([
        [3, oldest],
        [1, null],
      ]),
    };
    expect(mayHaveExpired(retention, 'abc', new Date(oldest - 86_400_000))).toBe(true);
    expect(mayHaveExpired(retention, 'abc', new Date(oldest + CLOCK_SKEW_MS))).toBe(true);
    expect(mayHaveExpired(retention, 'abc', new Date(oldest + CLOCK_SKEW_MS + 1))).toBe(false);
    // Another partition still holds everything: an event keyed there is not expired, however old.
    expect(mayHaveExpired(retention, 'foobar', new Date(0))).toBe(false);
    const emptied = ['k-1', 'k-2', 'k-3', 'k-4', 'k-5', 'k-6', 'k-7', 'k-8'].find(
      (key) => partitionOfKey(key, 4) === 1,
    )!;
    expect(mayHaveExpired(retention, emptied, new Date(oldest * 2))).toBe(true);
  });
});
