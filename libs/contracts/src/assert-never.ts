/**
 * The `default:` of an exhaustive switch: a compile error when a case is
 * missing, a crash if an unknown value arrives at run time anyway. The message
 * names the discriminant only, never the payload.
 */
export function assertNever(value: never): never {
  const tagged = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const tag = tagged['type'] ?? tagged['status'] ?? tagged['kind'] ?? (typeof value === 'object' ? 'object' : value);
  throw new Error(`unhandled case: ${String(tag)}`);
}
