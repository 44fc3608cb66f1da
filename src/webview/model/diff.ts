// Attribute-level diff rows for one resource, built only when the user expands it (5,000-resource plans stay
// cheap because nothing here runs until then).
//
// Structural: nested objects and lists are walked key by key, and long JSON documents stored as strings
// (IAM policies, container definitions) are parsed and walked the same way, so a one-word change in a
// 2 KB policy shows as one row instead of two unreadable blobs.
//
// Masking: an attribute flagged `sensitive` is shown as "(sensitive)" whatever value it carries - a second line
// of defence in case a producer flagged a value but forgot to replace it (plan/model.ts convention).

import { type AttributeDiff, KNOWN_AFTER_APPLY, SENSITIVE } from '../../core/plan/model';
import { fullText, inlineText, pathLabel } from './format';

export type RowChange = 'add' | 'remove' | 'change' | 'same';

export interface DiffRow {
  /** Nesting depth below the resource (0 = top-level attribute). */
  depth: number;
  /** Display path of this row, relative to its parent row (e.g. "tags", "Owner", "[0]"). */
  label: string;
  /** Full path from the resource root, for aria labels and tests. */
  path: string;
  change: RowChange;
  /** Inline texts; undefined when the side does not exist (create / delete). */
  before?: string;
  after?: string;
  /** Full texts for tooltips (only when the inline text was cut). */
  beforeFull?: string;
  afterFull?: string;
  /** A header row of an object/list/JSON document whose children follow. */
  container?: 'object' | 'list' | 'json';
  unknown?: boolean;
  sensitive?: boolean;
  forcesReplace?: boolean;
}

/** JSON strings shorter than this are shown as strings; longer ones that parse are diffed structurally. */
export const JSON_STRING_MIN = 16;
/** Guard against pathological nesting (deep Kubernetes manifests). */
const MAX_DEPTH = 24;

type Path = (string | number)[];

export interface BuildOptions {
  /** Resource-level replace paths (terraform replace_paths); an attribute under one is marked. */
  replacePaths?: Path[];
}

export function buildDiffRows(attrs: readonly AttributeDiff[], opts: BuildOptions = {}): DiffRow[] {
  const rows: DiffRow[] = [];
  const forced = (opts.replacePaths ?? []).map((p) => pathLabel(p));
  const sorted = [...attrs].sort((a, b) => cmpPath(a.path, b.path));
  for (const a of sorted) {
    const label = pathLabel(a.path);
    const forcesReplace =
      a.forcesReplace || forced.some((f) => f === label || label.startsWith(`${f}.`) || label.startsWith(`${f}[`));
    if (a.sensitive) {
      rows.push({
        depth: 0,
        label,
        path: label,
        // Masked values cannot be compared: any present pair counts as changed.
        change: a.before === undefined ? 'add' : a.after === undefined && !a.unknown ? 'remove' : 'change',
        before: a.before === undefined ? undefined : SENSITIVE,
        after: a.after === undefined ? undefined : a.unknown ? KNOWN_AFTER_APPLY : SENSITIVE,
        sensitive: true,
        unknown: a.unknown || undefined,
        forcesReplace: forcesReplace || undefined,
      });
      continue;
    }
    const after = a.unknown ? KNOWN_AFTER_APPLY : a.after;
    walk(rows, 0, label, label, a.before, after, forcesReplace);
  }
  return rows;
}

function changeOf(before: unknown, after: unknown): RowChange {
  if (before === undefined) return 'add';
  if (after === undefined) return 'remove';
  return deepEqual(before, after) ? 'same' : 'change';
}

function walk(
  rows: DiffRow[],
  depth: number,
  label: string,
  path: string,
  before: unknown,
  after: unknown,
  forces: boolean,
): void {
  const change = changeOf(before, after);
  const b = expandable(before);
  const a = expandable(after);
  // Walk into structure when both sides are structured the same way, or when one side is absent
  // (a created/deleted object reads better as its fields than as one long line).
  const kind =
    b && a && b.kind === a.kind
      ? a.kind
      : b && after === undefined
        ? b.kind
        : a && before === undefined
          ? a.kind
          : undefined;
  if (kind && depth < MAX_DEPTH) {
    const bv = b?.value;
    const av = a?.value;
    rows.push({ depth, label, path, change, container: kind, forcesReplace: forces || undefined });
    for (const k of childKeys(bv, av)) {
      const cb = bv === undefined ? undefined : (bv as Record<string | number, unknown>)[k];
      const ca = av === undefined ? undefined : (av as Record<string | number, unknown>)[k];
      if (change !== 'add' && change !== 'remove' && deepEqual(cb, ca)) continue; // unchanged: hidden
      const step = typeof k === 'number' ? `[${k}]` : pathLabel([k]);
      const childPath = typeof k === 'number' || step.startsWith('[') ? `${path}${step}` : `${path}.${step}`;
      walk(rows, depth + 1, step, childPath, cb, ca, forces);
    }
    return;
  }
  const row: DiffRow = { depth, label, path, change };
  if (before !== undefined) {
    row.before = inlineText(before);
    const full = fullText(before);
    if (full !== row.before) row.beforeFull = full;
  }
  if (after !== undefined) {
    row.after = inlineText(after);
    const full = fullText(after);
    if (full !== row.after) row.afterFull = full;
  }
  if (after === KNOWN_AFTER_APPLY) row.unknown = true;
  if (before === SENSITIVE || after === SENSITIVE) row.sensitive = true;
  if (forces) row.forcesReplace = true;
  rows.push(row);
}

/** Objects, lists, and strings holding a JSON object/list (policies) are walked; everything else is a leaf. */
function expandable(v: unknown): { kind: 'object' | 'list' | 'json'; value: unknown } | undefined {
  if (Array.isArray(v)) return { kind: 'list', value: v };
  if (v && typeof v === 'object') return { kind: 'object', value: v };
  if (typeof v === 'string' && v.length >= JSON_STRING_MIN) {
    const s = v.trimStart();
    if (s[0] === '{' || s[0] === '[') {
      try {
        const parsed: unknown = JSON.parse(v);
        if (parsed && typeof parsed === 'object') return { kind: 'json', value: parsed };
      } catch {
        // Not JSON after all: a plain string leaf.
      }
    }
  }
  return undefined;
}

function childKeys(b: unknown, a: unknown): (string | number)[] {
  if (Array.isArray(b) || Array.isArray(a)) {
    const n = Math.max(Array.isArray(b) ? b.length : 0, Array.isArray(a) ? a.length : 0);
    return Array.from({ length: n }, (_, i) => i);
  }
  const ks = new Set<string>();
  if (b && typeof b === 'object') for (const k of Object.keys(b)) ks.add(k);
  if (a && typeof a === 'object') for (const k of Object.keys(a)) ks.add(k);
  return [...ks].sort();
}

export function deepEqual(x: unknown, y: unknown): boolean {
  if (x === y) return true;
  if (typeof x !== typeof y || x === null || y === null || typeof x !== 'object') return false;
  if (Array.isArray(x) !== Array.isArray(y)) return false;
  if (Array.isArray(x)) {
    const ya = y as unknown[];
    return x.length === ya.length && x.every((v, i) => deepEqual(v, ya[i]));
  }
  const xo = x as Record<string, unknown>;
  const yo = y as Record<string, unknown>;
  const xk = Object.keys(xo);
  if (xk.length !== Object.keys(yo).length) return false;
  return xk.every((k) => Object.prototype.hasOwnProperty.call(yo, k) && deepEqual(xo[k], yo[k]));
}

function cmpPath(a: Path, b: Path): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] === b[i]) continue;
    if (typeof a[i] === 'number' && typeof b[i] === 'number') return (a[i] as number) - (b[i] as number);
    return String(a[i]) < String(b[i]) ? -1 : 1;
  }
  return a.length - b.length;
}
