// Small seeded random generator and mutators for the fuzz tests: reproducible (a failure names its seed and
// case number), no dependency.

/** Mulberry32: 32-bit state, uniform in [0, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

/** 1-4 text edits: insert a token, delete a run, or copy a slice of the text elsewhere. */
export function mutateText(r: () => number, s: string, tokens: readonly string[]): string {
  for (let k = 0; k < 1 + Math.floor(r() * 4); k++) {
    const at = Math.floor(r() * (s.length + 1));
    const op = r();
    if (op < 0.4) s = s.slice(0, at) + pick(r, tokens) + s.slice(at);
    else if (op < 0.7) s = s.slice(0, at) + s.slice(at + 1 + Math.floor(r() * 8));
    else {
      const a = Math.floor(r() * s.length);
      s = s.slice(0, at) + s.slice(a, a + Math.floor(r() * 200)) + s.slice(at);
    }
  }
  return s;
}

/** A random JSON value of bounded size: what a hand-edited or truncated plan might hold in any field. */
export function randomJson(r: () => number, depth = 0): unknown {
  const x = r();
  if (depth > 3 || x < 0.5)
    return pick(r, [
      null,
      true,
      false,
      0,
      -1,
      1.5,
      1e308,
      '',
      'x',
      'create',
      'delete',
      'update',
      ['create'],
      '(sensitive value)',
      {},
      [],
    ]);
  if (x < 0.75) return Array.from({ length: Math.floor(r() * 4) }, () => randomJson(r, depth + 1));
  const o: Record<string, unknown> = {};
  for (let i = 0; i < Math.floor(r() * 4); i++)
    o[
      pick(r, [
        'actions',
        'before',
        'after',
        'address',
        'type',
        'name',
        'change',
        'values',
        'sensitive',
        'op',
        'urn',
        'steps',
        'x',
      ])
    ] = randomJson(r, depth + 1);
  return o;
}

/** Replace, delete or retype 1-3 random nodes of a parsed JSON document (in place). */
export function mutateJson(r: () => number, doc: unknown): unknown {
  for (let k = 0; k < 1 + Math.floor(r() * 3); k++) {
    // Walk down a random path, then change what is there.
    let parent: any = undefined;
    let key: string | number | undefined;
    let cur: any = doc;
    for (let d = 0; d < 12 && cur && typeof cur === 'object' && r() < 0.85; d++) {
      const keys: (string | number)[] = Array.isArray(cur) ? cur.map((_: unknown, i: number) => i) : Object.keys(cur);
      if (!keys.length) break;
      parent = cur;
      key = pick(r, keys);
      cur = cur[key];
    }
    if (parent === undefined || key === undefined) return randomJson(r);
    if (r() < 0.3 && !Array.isArray(parent)) delete parent[key];
    else parent[key] = randomJson(r);
  }
  return doc;
}
