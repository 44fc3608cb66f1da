// Turning attribute values into short display strings. Shared by the diff builder and the app.
// Pure: runs in Node (unit tests, host) and in the browser bundle.

import { KNOWN_AFTER_APPLY, SENSITIVE } from '../../core/plan/model';

/** Longest inline text; the rest is in the row's tooltip and in "Open diff". */
export const MAX_INLINE = 240;

/** "tags.Owner", "ingress[0].from_port", 'labels["app.kubernetes.io/name"]'. */
export function pathLabel(path: readonly (string | number)[]): string {
  let out = '';
  for (const step of path) {
    if (typeof step === 'number') out += `[${step}]`;
    else if (/^[A-Za-z_][\w-]*$/.test(step)) out += out ? `.${step}` : step;
    else out += `[${JSON.stringify(step)}]`;
  }
  return out;
}

export function isMarker(v: unknown): boolean {
  return v === SENSITIVE || v === KNOWN_AFTER_APPLY;
}

/** Full text of a value (for tooltips and the native diff editor). Markers are shown bare, not quoted. */
export function fullText(v: unknown): string {
  if (v === undefined) return '';
  if (isMarker(v)) return v as string;
  if (typeof v === 'string') return JSON.stringify(v);
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/** One-line text: long or multi-line values are cut (the tooltip keeps the full text). */
export function inlineText(v: unknown): string {
  if (v === undefined) return '';
  if (typeof v === 'string' && !isMarker(v) && v.includes('\n')) {
    const lines = v.split('\n');
    const first = JSON.stringify(lines[0]).slice(0, -1);
    return clip(`${first}… (+${lines.length - 1} lines)"`);
  }
  return clip(fullText(v));
}

function clip(s: string): string {
  return s.length > MAX_INLINE ? `${s.slice(0, MAX_INLINE - 1)}…` : s;
}
