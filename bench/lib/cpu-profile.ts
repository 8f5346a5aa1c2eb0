import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}
interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/**
 * Where a V8 CPU profile's samples went, by place: a package of node_modules,
 * a part of this repository (`apps/gateway`, `libs/messaging`, …), Node's own
 * JavaScript, or V8's bookkeeping (GC, compiler, `(program)`: native code
 * outside JavaScript, TLS and the OS calls included). `(idle)` is left out.
 */
export function profileSummary(file: string): {
  totalMs: number;
  byPlace: Map<string, number>;
  byFunction: Map<string, number>;
} {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, index) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[index + 1] ?? 0)));
  const byPlace = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let totalMs = 0;
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = nodes.get(id)!.callFrame;
    if (functionName === '(idle)') continue;
    const place = placeOf(url, functionName);
    const ms = us / 1000;
    totalMs += ms;
    byPlace.set(place, (byPlace.get(place) ?? 0) + ms);
    const fn = `${functionName || '(anonymous)'} ${url.replace(/^.*\/(node_modules|dist)\//, '')}:${lineNumber + 1}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + ms);
  }
  return { totalMs, byPlace, byFunction };
}

function placeOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : `(native) ${functionName}`;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  const own = /dist\/((?:apps|libs)\/[^/]+)/.exec(url);
  if (own) return own[1]!;
  if (url.startsWith('node:')) return url.replace(/^node:internal\/([^/]+).*$/, 'node:$1');
  return url;
}

/** The `n` largest entries, as "  12.3 ms  45%  name" lines. */
export function topLines(entries: Map<string, number>, totalMs: number, n: number): string[] {
  return [...entries]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, ms]) => `${ms.toFixed(1).padStart(9)} ms ${((100 * ms) / totalMs).toFixed(1).padStart(5)}%  ${name}`);
}
