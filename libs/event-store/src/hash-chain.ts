/**
 * The tamper-evident history: every event's metadata carries `chainHash`,
 * which chains it to the event before it in its stream.
 *
 *   digest(e)   = SHA-256( UTF-8( canonicalJson({ id, stream, revision, type, data, metadata }) ) )
 *   chainHash_r = SHA-256( chainHash_(r-1) ‖ digest(e_r) )        (both as 32 raw bytes)
 *
 * `metadata` there is the event's metadata without `chainHash` itself; hashes
 * are written as 64 lowercase hex digits. The first chained event of a stream
 * chains from GENESIS_HASH (32 zero bytes): revision 0 of a stream written
 * since the chain exists, or the first event appended to an older stream,
 * whose earlier events carry no hash and are reported as before the chain
 * (`chainStartsAt`). Once a stream has a chained event, every later one must
 * have one.
 *
 * The recording time and the global position are not hashed: EventStoreDB
 * assigns both only once the append is written. The time an event tells
 * (`verifiedAt`, `changedAt`, ...) is part of its data, and so hashed.
 *
 * Two steps (digest, then link) rather than hashing the previous hash and the
 * JSON text in one go, so that an export can carry each event's digest beside
 * its public form and be checked link by link without the private fields the
 * digest covers (sealed secrets, password hashes).
 *
 * What a chain cannot show by itself: events cut off the end of a stream, or
 * a stream removed whole. Compare with an export kept elsewhere (its last
 * hashes) or with what was published to Kafka.
 */
import { hash } from 'node:crypto';
import { canonicalJson, canonicalJsonWithout, storedForm } from './canonical-json.js';
import type { NewEvent, RecordedEvent } from './event-store.port.js';

export const CHAIN_HASH_METADATA = 'chainHash';

/** What the first chained event of a stream chains from. */
export const GENESIS_HASH = '0'.repeat(64);

const HASH_PATTERN = /^[0-9a-f]{64}$/;

/** What of an event the chain covers. */
export type ChainedFields = Pick<RecordedEvent, 'id' | 'stream' | 'revision' | 'type' | 'data' | 'metadata'>;

/** SHA-256 of the event's canonical JSON, without its own `chainHash`. */
export function eventDigest(event: ChainedFields): string {
  return sha256Hex(canonicalEvent(event));
}

/**
 * `canonicalJson({ id, stream, revision, type, data, metadata })`, metadata
 * without `chainHash`, written out: the members in their canonical order
 * (data, id, metadata, revision, stream, type) without building that object
 * (`ops verify` digests every event of a store). hash-chain.spec.ts holds it
 * equal to canonicalJson of the object.
 */
export function canonicalEvent(event: ChainedFields): string {
  return (
    `{"data":${canonicalJson(event.data)},"id":${JSON.stringify(event.id)},` +
    `"metadata":${canonicalJsonWithout(event.metadata, CHAIN_HASH_METADATA)},` +
    `"revision":${canonicalJson(event.revision)},"stream":${JSON.stringify(event.stream)},` +
    `"type":${JSON.stringify(event.type)}}`
  );
}

/** The link: SHA-256 over the previous hash and the digest, both as raw bytes (64 bytes in all). */
export function linkHash(previousHash: string, digest: string): string {
  return sha256Hex(Buffer.from(previousHash + digest, 'hex'));
}

/** One-shot `crypto.hash` (Node >= 20.12): no Hash object per call. */
const sha256Hex = (input: string | Buffer): string => hash('sha256', input, 'hex');

/** The `chainHash` an event's metadata holds, if it is a well-formed one. */
export function chainHashOf(metadata: Readonly<Record<string, unknown>>): string | undefined {
  const stored = metadata[CHAIN_HASH_METADATA];
  return typeof stored === 'string' && HASH_PATTERN.test(stored) ? stored : undefined;
}

/**
 * `events` as they are stored at `firstRevision`, ... of `stream`, each with
 * its `chainHash` (a caller's own `chainHash` is replaced). `previousHash`:
 * the hash of the event at `firstRevision - 1`; undefined when there is none
 * or it has none (the chain starts here). The caller must hold whatever makes
 * `firstRevision - 1` the stream's last event until these are written: each
 * adapter says how it does.
 */
export function withChainHashes(
  stream: string,
  firstRevision: number,
  previousHash: string | undefined,
  events: readonly NewEvent[],
): NewEvent[] {
  let previous = previousHash ?? GENESIS_HASH;
  return events.map((event, i) => {
    const { [CHAIN_HASH_METADATA]: _caller, ...metadata } = event.metadata ?? {};
    // Digested as it will be stored, so that a reader's digest of it is the same.
    const digest = eventDigest({
      id: event.id,
      stream,
      revision: firstRevision + i,
      type: event.type,
      data: storedForm(event.data),
      metadata: storedForm(metadata),
    });
    previous = linkHash(previous, digest);
    return { ...event, metadata: { ...metadata, [CHAIN_HASH_METADATA]: previous } };
  });
}

/** Where a stream's chain is broken, and how. */
export interface ChainBreak {
  readonly stream: string;
  readonly revision: number;
  readonly problem: 'hash-mismatch' | 'hash-missing' | 'hash-malformed';
  readonly message: string;
}

/**
 * Checks one stream's events in revision order, one at a time, keeping only
 * the last hash: `check` answers the break at this event, if any. Each link
 * is checked against the hash stored on the event before, so a changed event
 * is reported once, at itself (or, if its own hash was recomputed to match,
 * at the event after it), not at every event after it.
 */
export class StreamChainVerifier {
  /** The revision of the stream's first chained event; null while none was seen. */
  chainStartsAt: number | null = null;
  /** The stored hash of the last event checked (undefined before the chain starts). */
  lastHash: string | undefined;

  constructor(readonly stream: string) {}

  check(event: ChainedFields): ChainBreak | undefined {
    const raw = event.metadata[CHAIN_HASH_METADATA];
    if (raw === undefined) {
      if (this.chainStartsAt === null) return undefined; // before the chain: reported as such
      return this.fail(event, 'hash-missing', 'carries no chain hash, but earlier events of its stream do');
    }
    const stored = chainHashOf(event.metadata);
    if (stored === undefined) return this.fail(event, 'hash-malformed', 'its chain hash is not 64 hex digits');
    if (this.chainStartsAt === null) this.chainStartsAt = event.revision;
    const expected = linkHash(this.lastHash ?? GENESIS_HASH, eventDigest(event));
    this.lastHash = stored;
    if (expected === stored) return undefined;
    return this.fail(
      event,
      'hash-mismatch',
      'its chain hash does not match its content and the hash before it: this event was changed, or the one before it was',
    );
  }

  /**
   * The first kept event of a truncated stream (`EventStore.truncateBefore`):
   * the hash it links to went with the events before it, so its own stored
   * hash is taken as given, and the events after it are checked against it.
   * Its content is covered only by that hash, which nothing before it can
   * confirm: an audit allows this for bookkeeping streams only. An event
   * without a hash is checked as usual (a stream kept from before the chain).
   * Only for the first event checked.
   */
  anchor(event: ChainedFields): ChainBreak | undefined {
    if (this.chainStartsAt !== null) throw new Error(`stream ${this.stream}: only its first event anchors its chain`);
    if (event.metadata[CHAIN_HASH_METADATA] === undefined) return this.check(event);
    const stored = chainHashOf(event.metadata);
    if (stored === undefined) return this.fail(event, 'hash-malformed', 'its chain hash is not 64 hex digits');
    this.chainStartsAt = event.revision;
    this.lastHash = stored;
    return undefined;
  }

  private fail(event: ChainedFields, problem: ChainBreak['problem'], message: string): ChainBreak {
    return { stream: event.stream, revision: event.revision, problem, message };
  }
}

/**
 * One whole stream (every event, in revision order): where its chain starts
 * and where it is broken. `anchored`: a truncated stream, whose first event's
 * stored hash anchors the rest (`StreamChainVerifier.anchor`).
 */
export function verifyStreamChain(
  events: readonly ChainedFields[],
  options: { readonly anchored?: boolean } = {},
): {
  chainStartsAt: number | null;
  breaks: ChainBreak[];
} {
  const verifier = new StreamChainVerifier(events[0]?.stream ?? '');
  const breaks = events.flatMap(
    (event, i) => (i === 0 && options.anchored ? verifier.anchor(event) : verifier.check(event)) ?? [],
  );
  return { chainStartsAt: verifier.chainStartsAt, breaks };
}
