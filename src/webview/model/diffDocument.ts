// Before/after JSON documents of one resource for VS Code's native diff editor ("Open diff"). Rebuilt from the
// already-masked attribute diffs, so the documents can never hold more than the panel shows.

import type { AttributeDiff } from '../../core/plan/model';

export interface DiffSides {
  before: string;
  after: string;
}

export function diffSides(attrs: readonly AttributeDiff[]): DiffSides {
  let before: unknown = undefined;
  let after: unknown = undefined;
  for (const a of attrs) {
    if (a.before !== undefined) before = setPath(before, a.path, a.before);
    if (a.after !== undefined) after = setPath(after, a.path, a.after);
  }
  return { before: pretty(before), after: pretty(after) };
}

function pretty(v: unknown): string {
  return v === undefined ? '' : `${JSON.stringify(v, null, 2)}\n`;
}

function setPath(root: unknown, path: readonly (string | number)[], value: unknown): unknown {
  if (!path.length) return value;
  const [head, ...rest] = path;
  const container: Record<string | number, unknown> =
    root && typeof root === 'object'
      ? (root as Record<string | number, unknown>)
      : typeof head === 'number'
        ? ([] as unknown as Record<number, unknown>)
        : {};
  container[head!] = setPath(container[head!], rest, value);
  return container;
}
