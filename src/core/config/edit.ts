import type { KeyValue } from './ast';
import type { ConfigNode } from './tree';
import type { OffsetRange, TextEditSpec } from './types';

// Minimal text edits built from AST ranges: the user's comments, order and formatting stay untouched.
// Everything the extension writes (quick fixes, later the form editor) goes through these.

export function replaceEdit(range: OffsetRange, newText: string): TextEditSpec {
  return { start: range.start, end: range.end, newText };
}

const BARE_KEY = /^[A-Za-z0-9_-]+$/;

export function tomlKey(k: string): string {
  return BARE_KEY.test(k) ? k : JSON.stringify(k);
}

/** A value as TOML source (strings in basic quotes, tables inline). */
export function tomlLiteral(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(tomlLiteral).join(', ')}]`;
  if (v && typeof v === 'object') {
    const parts = Object.entries(v).map(([k, x]) => `${tomlKey(k)} = ${tomlLiteral(x)}`);
    return parts.length ? `{ ${parts.join(', ')} }` : '{}';
  }
  return '""';
}

/** Delete a `key = value` line (with its line break) when it stands alone on its line; undefined otherwise. */
export function deleteKeyValueEdit(text: string, kv: KeyValue): TextEditSpec | undefined {
  if (kv.parent.type === 'TOMLInlineTable') return undefined;
  const ls = lineStartAt(text, kv.range[0]);
  const le = lineEndAt(text, kv.range[1]);
  if (text.slice(ls, kv.range[0]).trim() !== '') return undefined;
  const rest = text.slice(kv.range[1], le).trim();
  if (rest !== '' && !rest.startsWith('#')) return undefined;
  let end = le;
  if (text.startsWith('\r\n', end)) end += 2;
  else if (text[end] === '\n' || text[end] === '\r') end += 1;
  return { start: ls, end, newText: '' };
}

/**
 * Insert `key = value` into a table: after its last key/value line (or its header), or inside an inline
 * table. Undefined for tables that exist only through dotted keys (no single place to add to).
 */
export function insertKeyEdit(
  text: string,
  table: ConfigNode,
  key: string,
  valueText: string,
): TextEditSpec | undefined {
  const line = `${tomlKey(key)} = ${valueText}`;
  if (table.inline) {
    const body = table.inline.body;
    if (body.length === 0) {
      const start = table.inline.range[0] + 1;
      return { start, end: table.inline.range[1] - 1, newText: ` ${line} ` };
    }
    const at = body[body.length - 1].range[1];
    return { start: at, end: at, newText: `, ${line}` };
  }
  if (table.table) {
    const body = table.table.body;
    const anchor = body.length ? body[body.length - 1].range[1] : table.table.key.range[1];
    const at = lineEndAt(text, anchor);
    return { start: at, end: at, newText: `${eolOf(text)}${line}` };
  }
  if (table.path.length === 0) {
    // Root: at the top, before any table header.
    return { start: 0, end: 0, newText: `${line}${eolOf(text)}` };
  }
  return undefined;
}

/** Insert a new `[header]` table with lines after the section of `after` (a table with a header). */
export function insertTableEdit(
  text: string,
  after: ConfigNode,
  header: string,
  lines: string[],
): TextEditSpec | undefined {
  if (!after.table) return undefined;
  const body = after.table.body;
  const anchor = body.length ? body[body.length - 1].range[1] : after.table.key.range[1];
  const at = lineEndAt(text, anchor);
  const eol = eolOf(text);
  return { start: at, end: at, newText: `${eol}${eol}${header}${lines.map((l) => eol + l).join('')}` };
}

/** Apply edits to a string (tests, the CLI and benchmarks; the editor applies them via WorkspaceEdit). */
export function applyEdits(text: string, edits: TextEditSpec[]): string {
  const sorted = [...edits].sort((a, b) => b.start - a.start);
  let out = text;
  for (const e of sorted) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  return out;
}

export function lineStartAt(text: string, offset: number): number {
  let i = offset;
  while (i > 0 && text[i - 1] !== '\n' && text[i - 1] !== '\r') i--;
  return i;
}

export function lineEndAt(text: string, offset: number): number {
  let i = offset;
  while (i < text.length && text[i] !== '\n' && text[i] !== '\r') i++;
  return i;
}

export function eolOf(text: string): string {
  const i = text.indexOf('\n');
  return i > 0 && text[i - 1] === '\r' ? '\r\n' : '\n';
}
