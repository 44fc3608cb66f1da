import type { ConfigDiagnostic } from './types';

// Limits on what the TOML front end reads. A real helix.toml or helix.deploy.toml is tens of lines, keys of a
// few parts and values nested two or three deep; every limit is orders of magnitude above that. They exist so
// that no input - hostile or broken - can make validation (in the editor on every keystroke, or in the CLI)
// take seconds, gigabytes, or overflow the stack: the parser and the tree walk recurse per nesting level,
// and the tree holds one path per node, so work grows with depth times size.

/**
 * Characters per file (UTF-16 code units): over 1.5 times a 5,000-line helix.toml (~80,000 characters). The
 * parser (toml-eslint-parser) keeps a token list with locations; measured, a file at this size and at the
 * item limit below stays near 150 MB and a second on a loaded machine. At 512 Ki it took 0.5-1 GB.
 */
export const MAX_FILE_CHARS = 128 * 1024;

/**
 * Key/values, array elements and tables per file (counted as `=`, `,`, `[` and `{` outside strings and comments).
 * The parser's memory goes with this count more than with size (~2 KB per array element): a 5,000-line
 * helix.toml has ~3,600; a real one tens.
 */
export const MAX_ITEMS = 10_000;

/** Arrays, inline tables and table headers nested inside each other (brackets and braces open at once). */
export const MAX_NESTING = 64;

/** Parts of one dotted key or table header (`a.b.c` has 3). */
export const MAX_KEY_PARTS = 64;

/** Characters in one key part. */
export const MAX_KEY_LENGTH = 1024;

/**
 * Characters in one string value. Images, URLs and paths are under 1 KB; an embedded certificate a few KB. The
 * parser builds each string with one call taking every character as an argument, which overflows the stack
 * somewhere above 100,000 characters.
 */
export const MAX_STRING_CHARS = 64 * 1024;

export function limitError(start: number, end: number, message: string): ConfigDiagnostic {
  return { start, end, severity: 'error', code: 'toml-limit', message };
}

/**
 * One linear pass over the text, before any parser runs: file size, items, bracket nesting, dotted-key parts,
 * bare-key and string length.
 * It follows strings and comments so that brackets and dots inside them do not count; on a file that is not
 * valid TOML it may misjudge, which is harmless (the answer is then a limit error or the parser's own error).
 */
export function checkLimits(text: string): ConfigDiagnostic | undefined {
  const n = text.length;
  if (n > MAX_FILE_CHARS) {
    return limitError(
      0,
      0,
      `the file is ${n.toLocaleString('en-US')} characters long; Helix Deploy reads TOML files of up to ${MAX_FILE_CHARS.toLocaleString('en-US')} characters (a helix.toml is usually well under 10,000)`,
    );
  }
  let depth = 0;
  let items = 0;
  let dots = 0; // dots in the current run of key-like text: `a.b.c`, `"a"."b"`
  let bare = 0; // length of the current run of bare-key characters
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (isBare(c)) {
      if (++bare > MAX_KEY_LENGTH)
        return limitError(
          i + 1 - bare,
          i + 1,
          `this key is more than ${MAX_KEY_LENGTH.toLocaleString('en-US')} characters long; Helix Deploy reads keys of up to ${MAX_KEY_LENGTH.toLocaleString('en-US')} characters`,
        );
      continue;
    }
    bare = 0;
    if (c === 34 /* " */ || c === 39 /* ' */) {
      const end = skipString(text, i, c);
      if (end - i > MAX_STRING_CHARS) {
        return limitError(
          i,
          i + 1,
          `this string is ${(end - i).toLocaleString('en-US')} characters long; Helix Deploy reads strings of up to ${MAX_STRING_CHARS.toLocaleString('en-US')} characters`,
        );
      }
      i = end - 1;
      continue;
    }
    if (c === 35 /* # */) {
      while (i + 1 < n && text.charCodeAt(i + 1) !== 10) i++;
      continue;
    }
    if (c === 91 /* [ */ || c === 123 /* { */ || c === 61 /* = */ || c === 44 /* , */) {
      if (++items > MAX_ITEMS) {
        return limitError(
          i,
          i + 1,
          `the file has more than ${MAX_ITEMS.toLocaleString('en-US')} keys, values and tables (counted up to here); Helix Deploy reads files of up to ${MAX_ITEMS.toLocaleString('en-US')}`,
        );
      }
      if (c === 61 || c === 44) {
        dots = 0;
        continue;
      }
    }
    if (c === 91 /* [ */ || c === 123 /* { */) {
      if (++depth > MAX_NESTING) {
        return limitError(
          i,
          i + 1,
          `values are nested more than ${MAX_NESTING} levels deep here (arrays and inline tables inside each other); Helix Deploy reads up to ${MAX_NESTING}`,
        );
      }
      dots = 0;
    } else if (c === 93 /* ] */ || c === 125 /* } */) {
      if (depth > 0) depth--;
      dots = 0;
    } else if (c === 46 /* . */) {
      if (++dots >= MAX_KEY_PARTS) {
        const start = keyRunStart(text, i);
        return limitError(
          start,
          i,
          `this key has more than ${MAX_KEY_PARTS} dotted parts; Helix Deploy reads keys and table headers of up to ${MAX_KEY_PARTS} parts`,
        );
      }
    } else if (!(c === 32 || c === 9)) dots = 0;
  }
  return undefined;
}

const isBare = (c: number) =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 45;

/** Index just past the string opening at `i` (basic or literal, single- or multi-line); the end if unterminated. */
function skipString(text: string, i: number, quote: number): number {
  const n = text.length;
  const multi = text.charCodeAt(i + 1) === quote && text.charCodeAt(i + 2) === quote;
  let j = i + (multi ? 3 : 1);
  while (j < n) {
    const c = text.charCodeAt(j);
    if (c === 92 /* \ */ && quote === 34) j += 2;
    else if (c === quote) {
      if (!multi) return j + 1;
      if (text.charCodeAt(j + 1) === quote && text.charCodeAt(j + 2) === quote) {
        // Up to two more quotes may belong to the content: `""""` ends with the last three.
        let k = j + 3;
        while (k < n && k < j + 5 && text.charCodeAt(k) === quote) k++;
        return k;
      }
      j++;
    } else if (c === 10 && !multi)
      return j; // unterminated single-line string: the parser reports it
    else j++;
  }
  return n;
}

/** Start of the line holding `i`, for the range of a too-long key (at most a line: bounded work). */
function keyRunStart(text: string, i: number): number {
  const nl = text.lastIndexOf('\n', i);
  let s = nl + 1;
  while (s < i && (text.charCodeAt(s) === 32 || text.charCodeAt(s) === 9)) s++;
  return s;
}
