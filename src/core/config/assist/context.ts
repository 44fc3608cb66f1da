// Where the cursor is in a TOML file, read from the text itself (not the AST): completion must work while
// the file is broken mid-typing, which is exactly when it is needed. A light line scanner is enough for
// config files: it tracks table headers and multi-line strings, and reads the current line's key/value.

import type { OffsetRange } from '../types';

export type CursorContext =
  | {
      kind: 'header';
      /** Segments before the one being typed. */ path: string[];
      prefix: string;
      replace: OffsetRange;
      array: boolean;
    }
  | {
      kind: 'key';
      /** Table the key goes into (header path plus dotted/inline prefixes). */ path: string[];
      prefix: string;
      replace: OffsetRange;
      inline: boolean;
      lineStart: boolean;
    }
  | { kind: 'value'; path: string[]; prefix: string; replace: OffsetRange }
  | { kind: 'none' };

/** Split a dotted key (`a."b.c".d`) into segments; quotes removed. */
export function splitKey(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let q: string | undefined;
  for (const ch of s) {
    if (q) {
      if (ch === q) q = undefined;
      else cur += ch;
    } else if (ch === '"' || ch === "'") q = ch;
    else if (ch === '.') {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  out.push(cur.trim());
  return out;
}

const HEADER = /^\s*\[(\[?)\s*([^\]#]*?)\s*\]\]?\s*(#.*)?$/;

/** Table path at the start of `lineIndex` and whether that line starts inside a multi-line string. */
function scanTo(lines: string[], lineIndex: number): { path: string[]; inString: boolean } {
  let path: string[] = [];
  let ml: string | undefined;
  for (let i = 0; i < lineIndex; i++) {
    const line = lines[i];
    if (!ml) {
      const h = HEADER.exec(line);
      if (h) {
        path = splitKey(h[2]);
        continue;
      }
    }
    // Toggle on each unescaped triple quote (rare in config files; good enough).
    let j = 0;
    while (j < line.length) {
      const t3 = line.slice(j, j + 3);
      if (ml) {
        if (t3 === ml) {
          ml = undefined;
          j += 3;
          continue;
        }
        if (ml === '"""' && line[j] === '\\') j++;
      } else if (t3 === '"""' || t3 === "'''") {
        ml = t3;
        j += 3;
        continue;
      } else if (line[j] === '#') break;
      else if (line[j] === '"' || line[j] === "'") {
        const q = line[j];
        j++;
        while (j < line.length && line[j] !== q) j += q === '"' && line[j] === '\\' ? 2 : 1;
      }
      j++;
    }
  }
  return { path, inString: !!ml };
}

export function cursorContext(text: string, offset: number): CursorContext {
  const lineStartOff = Math.max(text.lastIndexOf('\n', offset - 1) + 1, 0);
  const lines = text.slice(0, lineStartOff).split(/\r?\n/);
  lines.pop(); // the empty remainder after the last line break
  const { path, inString } = scanTo(lines, lines.length);
  if (inString) return { kind: 'none' };
  let lineEnd = text.indexOf('\n', offset);
  if (lineEnd < 0) lineEnd = text.length;
  const before = text.slice(lineStartOff, offset);
  const after = text.slice(offset, lineEnd).replace(/\r$/, '');

  const hm = /^(\s*)\[(\[?)\s*([^\]]*)$/.exec(before);
  if (hm) {
    const segs = splitKey(hm[3]);
    const prefix = segs.pop() ?? '';
    const start = offset - prefix.length;
    const tail = /^[A-Za-z0-9_-]*/.exec(after)![0];
    return { kind: 'header', path: segs, prefix, replace: { start, end: offset + tail.length }, array: hm[2] === '[' };
  }
  if (/^\s*#/.test(before)) return { kind: 'none' };

  // Walk the line before the cursor: quotes, braces (inline tables), the '=' of each key/value.
  type Frame = { keyPath: string[]; segStart: number; afterEq: number | undefined };
  const frames: Frame[] = [{ keyPath: [], segStart: 0, afterEq: undefined }];
  let q: string | undefined;
  for (let i = 0; i < before.length; i++) {
    const ch = before[i];
    const f = frames[frames.length - 1];
    if (q) {
      if (ch === '\\' && q === '"') i++;
      else if (ch === q) q = undefined;
      continue;
    }
    if (ch === '#') return { kind: 'none' };
    if (ch === '"' || ch === "'") q = ch;
    else if (ch === '=' && f.afterEq === undefined) {
      f.afterEq = i + 1;
      f.keyPath = splitKey(before.slice(f.segStart, i));
    } else if (ch === '{' && f.afterEq !== undefined) frames.push({ keyPath: [], segStart: i + 1, afterEq: undefined });
    else if (ch === '}' && frames.length > 1) frames.pop();
    else if (ch === ',' && frames.length > 1) {
      f.afterEq = undefined;
      f.segStart = i + 1;
    }
  }
  const outer = frames.slice(0, -1).flatMap((f) => f.keyPath);
  const f = frames[frames.length - 1];
  const inline = frames.length > 1;
  if (f.afterEq !== undefined) {
    if (
      q === undefined &&
      /\S\s+\S*$/.test(before.slice(f.afterEq).trimStart()) &&
      !/^["'[{]/.test(before.slice(f.afterEq).trimStart())
    )
      return { kind: 'none' };
    const raw = before.slice(f.afterEq);
    const lead = raw.length - raw.trimStart().length;
    const start = lineStartOff + f.afterEq + lead;
    // Replace the whole value token, including a closing quote the editor may have auto-inserted.
    const rest = /^[^\s,}#]*/.exec(after)![0];
    return {
      kind: 'value',
      path: [...path, ...outer, ...f.keyPath],
      prefix: raw.trimStart(),
      replace: { start, end: offset + rest.length },
    };
  }
  const seg = before.slice(f.segStart);
  const keyTyped = splitKey(seg.trimStart());
  const prefix = keyTyped.pop() ?? '';
  if (/\s/.test(prefix)) return { kind: 'none' };
  const tail = /^[A-Za-z0-9_-]*/.exec(after)![0];
  return {
    kind: 'key',
    path: [...path, ...outer, ...keyTyped],
    prefix,
    replace: { start: offset - prefix.length, end: offset + tail.length },
    inline,
    lineStart: !inline && keyTyped.length === 0 && seg.trim() === prefix,
  };
}

/** The key path a position points at, for hover: on a header segment, a key segment, or a value. */
export function pathAt(
  text: string,
  offset: number,
): { path: string[]; range: OffsetRange; onValue: boolean } | undefined {
  const ls = Math.max(text.lastIndexOf('\n', offset - 1) + 1, 0);
  let le = text.indexOf('\n', offset);
  if (le < 0) le = text.length;
  const line = text.slice(ls, le).replace(/\r$/, '');
  const lines = text.slice(0, ls).split(/\r?\n/);
  lines.pop();
  const { path, inString } = scanTo(lines, lines.length);
  if (inString) return undefined;
  const col = offset - ls;
  const h = HEADER.exec(line);
  if (h) {
    const open = line.indexOf('[') + (h[1] ? 2 : 1);
    return segmentAt(line.slice(0, line.indexOf(']', open)), open, col, ls, [], false);
  }
  const eq = findEquals(line);
  if (eq < 0) return undefined;
  if (col <= eq) {
    const start = line.length - line.trimStart().length;
    return segmentAt(line.slice(0, eq), start, col, ls, path, false);
  }
  const keys = splitKey(line.slice(0, eq));
  const m = /^\s*("[^"]*"|'[^']*'|[^\s#]+)/.exec(line.slice(eq + 1));
  const vs = eq + 1 + (m ? m[0].length - m[1].length : 0);
  return { path: [...path, ...keys], range: { start: ls + vs, end: ls + vs + (m ? m[1].length : 0) }, onValue: true };
}

function findEquals(line: string): number {
  let q: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (q) {
      if (ch === q) q = undefined;
    } else if (ch === '"' || ch === "'") q = ch;
    else if (ch === '=') return i;
    else if (ch === '#') return -1;
  }
  return -1;
}

/** Which dotted segment of `keyText` (starting at `from`) holds column `col`. */
function segmentAt(keyText: string, from: number, col: number, lineOff: number, base: string[], onValue: boolean) {
  const segs: { name: string; start: number; end: number }[] = [];
  let i = from;
  let start = from;
  let q: string | undefined;
  for (; i <= keyText.length; i++) {
    const ch = keyText[i];
    if (q) {
      if (ch === q) q = undefined;
      continue;
    }
    if (ch === '"' || ch === "'") q = ch;
    else if (ch === '.' || i === keyText.length) {
      const raw = keyText.slice(start, i);
      const lead = raw.length - raw.trimStart().length;
      segs.push({ name: splitKey(raw)[0], start: start + lead, end: start + raw.trimEnd().length });
      start = i + 1;
    }
  }
  const idx = segs.findIndex((s) => col >= s.start && col <= s.end);
  if (idx < 0) return undefined;
  return {
    path: [...base, ...segs.slice(0, idx + 1).map((s) => s.name)],
    range: { start: lineOff + segs[idx].start, end: lineOff + segs[idx].end },
    onValue,
  };
}
