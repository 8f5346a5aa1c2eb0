import canonicalize from 'canonicalize';

/**
 * Canonical JSON: the one text of a JSON value that the hash chain
 * (hash-chain.ts) digests, so that the same event always hashes the same,
 * whoever wrote it and however its keys were ordered: RFC 8785 (JSON
 * Canonicalization Scheme), by the maintained `canonicalize` package (written
 * by one of the RFC's authors). It refuses what JSON cannot hold (NaN, a lone
 * surrogate, a bigint, a cycle): hash `storedForm(value)` for a value that is
 * not yet what the store keeps.
 */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError(`${typeof value} has no JSON form`);
  return text;
}

/** Canonical JSON of an object's members other than `omitted`: an event's metadata without its own hash. */
export function canonicalJsonWithout(record: Readonly<Record<string, unknown>>, omitted: string): string {
  const { [omitted]: _omitted, ...rest } = record;
  return canonicalJson(rest);
}

/**
 * A value as the store keeps it: what `JSON.stringify` writes, read back (a
 * Date becomes its ISO string, an undefined member goes, NaN becomes null), so
 * a digest taken at append equals the one taken of the event read back.
 */
export function storedForm<T extends Readonly<Record<string, unknown>>>(value: T): Record<string, unknown> {
  return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
}
