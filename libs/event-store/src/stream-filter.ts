import type { CountOptions, StreamFilter } from './event-store.port.js';

/** The filter's prefixes (undefined: every stream), after checking it names at least one non-empty prefix. */
export function streamPrefixesOf(filter: StreamFilter): readonly string[] | undefined {
  const prefixes = filter.streamPrefixes;
  if (prefixes === undefined) return undefined;
  if (prefixes.length === 0 || prefixes.some((prefix) => prefix.length === 0)) {
    throw new RangeError('streamPrefixes must name at least one prefix, and no empty one (omit it for every stream)');
  }
  return prefixes;
}

export function assertValidCountLimit(options: CountOptions): void {
  if (!(Number.isInteger(options.limit) && options.limit >= 0)) {
    throw new RangeError(`limit must be an integer >= 0; got ${options.limit}`);
  }
}
