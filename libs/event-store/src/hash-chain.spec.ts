import { createHash, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json.js';
import type { NewEvent } from './event-store.port.js';
import {
  CHAIN_HASH_METADATA,
  GENESIS_HASH,
  StreamChainVerifier,
  canonicalEvent,
  eventDigest,
  linkHash,
  verifyStreamChain,
  withChainHashes,
  type ChainedFields,
} from './hash-chain.js';

const sha256 = (input: Buffer | string): string => createHash('sha256').update(input).digest('hex');

const newEvent = (type: string, data: Record<string, unknown> = {}, metadata?: Record<string, unknown>): NewEvent => ({
  id: randomUUID(),
  type,
  data,
  ...(metadata ? { metadata } : {}),
});

/** As a store keeps them: revisions from `from`, the metadata as written. */
function stored(stream: string, from: number, previous: string | undefined, events: NewEvent[]): ChainedFields[] {
  return withChainHashes(stream, from, previous, events).map((event, i) => ({
    id: event.id,
    stream,
    revision: from + i,
    type: event.type,
    data: event.data,
    metadata: event.metadata ?? {},
  }));
}

describe('the hash chain', () => {
  it('digests the canonical JSON of id, stream, revision, type, data and metadata (without the chain hash)', () => {
    const event: ChainedFields = {
      id: 'e-1',
      stream: 'mfa-u1',
      revision: 4,
      type: 'MfaActivated',
      data: { steps: [1, 2], enrollmentId: 'n' },
      metadata: { schemaVersion: 1, [CHAIN_HASH_METADATA]: 'ignored' },
    };
    const text =
      '{"data":{"enrollmentId":"n","steps":[1,2]},"id":"e-1","metadata":{"schemaVersion":1},' +
      '"revision":4,"stream":"mfa-u1","type":"MfaActivated"}';
    expect(eventDigest(event)).toBe(sha256(text));
  });

  it('writes the canonical event exactly as canonicalJson writes the object it stands for', () => {
    const { [CHAIN_HASH_METADATA]: _own, ...metadata } = {
      a: [1, { z: null, b: 'é' }],
      [CHAIN_HASH_METADATA]: 'x',
      c: -0,
    };
    const event: ChainedFields = {
      id: 'e"2',
      stream: 'user-\u2028',
      revision: 12,
      type: 'T',
      data: { z: new Date(0), a: [undefined, 1.5e-7], gone: undefined },
      metadata: { ...metadata, [CHAIN_HASH_METADATA]: 'y' },
    };
    const { id, stream, revision, type, data } = event;
    expect(canonicalEvent(event)).toBe(canonicalJson({ id, stream, revision, type, data, metadata }));
  });

  it('links the previous hash and the digest as raw bytes', () => {
    const previous = sha256('previous');
    const digest = sha256('event');
    expect(linkHash(previous, digest)).toBe(
      sha256(Buffer.concat([Buffer.from(previous, 'hex'), Buffer.from(digest, 'hex')])),
    );
    expect(GENESIS_HASH).toBe('0'.repeat(64));
  });

  it('chains a batch from the previous hash, or from genesis, replacing a hash the caller wrote', () => {
    const [a, b] = stored('s', 0, undefined, [
      newEvent('A', {}, { [CHAIN_HASH_METADATA]: 'f'.repeat(64) }),
      newEvent('B'),
    ]);
    expect(a!.metadata[CHAIN_HASH_METADATA]).toBe(linkHash(GENESIS_HASH, eventDigest(a!)));
    expect(b!.metadata[CHAIN_HASH_METADATA]).toBe(
      linkHash(a!.metadata[CHAIN_HASH_METADATA] as string, eventDigest(b!)),
    );
    const [c] = stored('s', 2, b!.metadata[CHAIN_HASH_METADATA] as string, [newEvent('C')]);
    expect(verifyStreamChain([a!, b!, c!])).toEqual({ chainStartsAt: 0, breaks: [] });
  });

  it('reports events before the chain as such, and a chain that starts mid-stream from genesis', () => {
    const legacy: ChainedFields[] = [0, 1].map((revision) => ({
      id: randomUUID(),
      stream: 's',
      revision,
      type: 'Old',
      data: {},
      metadata: {},
    }));
    const chained = stored('s', 2, undefined, [newEvent('New'), newEvent('Newer')]);
    expect(verifyStreamChain([...legacy, ...chained])).toEqual({ chainStartsAt: 2, breaks: [] });
    expect(verifyStreamChain(legacy)).toEqual({ chainStartsAt: null, breaks: [] });
  });

  it('points at an edited event once, not at every event after it', () => {
    const events = stored('s', 0, undefined, [newEvent('A'), newEvent('B', { step: 7 }), newEvent('C'), newEvent('D')]);
    const edited = events.map((event) => (event.revision === 1 ? { ...event, data: { step: 8 } } : event));
    expect(verifyStreamChain(edited).breaks).toEqual([
      { stream: 's', revision: 1, problem: 'hash-mismatch', message: expect.stringContaining('changed') },
    ]);
  });

  it('points at the next event when an edited event got a recomputed hash', () => {
    const events = stored('s', 0, undefined, [newEvent('A'), newEvent('B', { step: 7 }), newEvent('C')]);
    const changed = { ...events[1]!, data: { step: 8 } };
    const rehashed = {
      ...changed,
      metadata: {
        ...changed.metadata,
        [CHAIN_HASH_METADATA]: linkHash(events[0]!.metadata[CHAIN_HASH_METADATA] as string, eventDigest(changed)),
      },
    };
    expect(verifyStreamChain([events[0]!, rehashed, events[2]!]).breaks.map((b) => b.revision)).toEqual([2]);
  });

  it('refuses an event dropped from the middle, a missing hash after the chain started, and a malformed hash', () => {
    const events = stored('s', 0, undefined, [newEvent('A'), newEvent('B'), newEvent('C')]);
    // Revision numbers are covered: the event after a removed one no longer links (gaps are also reported by verify).
    expect(verifyStreamChain([events[0]!, events[2]!]).breaks.map((b) => b.problem)).toEqual(['hash-mismatch']);
    const verifier = new StreamChainVerifier('s');
    expect(verifier.check(events[0]!)).toBeUndefined();
    expect(verifier.check({ ...events[1]!, metadata: {} })?.problem).toBe('hash-missing');
    expect(new StreamChainVerifier('s').check({ ...events[0]!, metadata: { chainHash: 'nope' } })?.problem).toBe(
      'hash-malformed',
    );
  });
});
