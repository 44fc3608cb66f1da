// "Did you mean" suggestions: the known name with the smallest edit distance, if close enough.

/**
 * Longest word we look for a suggestion for. Known names (keys, enum values, instance names) are short; a typo
 * of one is about as long. The distance costs length x length, so an absurd word (a 500 KB key or value)
 * gets no suggestion instead of seconds of work and a table of its length squared.
 */
export const MAX_SUGGEST_LENGTH = 64;

/** Candidates compared per lookup (instance names come from the user's file). */
const MAX_CANDIDATES = 1000;

/**
 * Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps cost 1.
 * With `max`, stops early and returns max + 1 once the distance is known to exceed it. Three rolling rows:
 * memory is linear in the length of `b`.
 */
export function distance(a: string, b: string, max = Infinity): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const m = b.length;
  let prev2 = new Array<number>(m + 1).fill(0);
  let prev = Array.from({ length: m + 1 }, (_, j) => j);
  let cur = new Array<number>(m + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= m; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2] + 1);
      cur[j] = d;
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > max) return max + 1;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[m];
}

export function closest(word: string, candidates: readonly string[]): string | undefined {
  if (word.length > MAX_SUGGEST_LENGTH) return undefined;
  const lower = word.toLowerCase();
  // Allow about one typo per four characters, at least one, at most three.
  const limit = Math.min(3, Math.max(1, Math.floor(word.length / 4)));
  let best: string | undefined;
  let bestD = Infinity;
  const n = Math.min(candidates.length, MAX_CANDIDATES);
  for (let i = 0; i < n; i++) {
    const c = candidates[i];
    if (c.length > MAX_SUGGEST_LENGTH) continue;
    const cl = c.toLowerCase();
    const d = cl === lower ? 0 : distance(lower, cl, limit);
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  return bestD <= limit ? best : undefined;
}

/** A user's key or value as quoted in a message: long ones cut, so that one bad line cannot flood the output. */
export function shown(s: string, max = 80): string {
  return s.length > max ? `${s.slice(0, max)}… (${s.length.toLocaleString('en-US')} characters)` : s;
}
