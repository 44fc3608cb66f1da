import { messageOf } from '../errors';
import { parseTOML, type AST } from 'toml-eslint-parser';
import type { ConfigDiagnostic } from './types';
import { checkLimits } from './limits';
import { at } from '../json';

// TOML 1.0 (what the helix CLI's `toml` crate reads) via toml-eslint-parser: exact UTF-16 ranges on every node.
// The parser stops at the first error, so a broken file yields one syntax diagnostic.

export interface ParseResult {
  ast?: AST.TOMLProgram;
  error?: ConfigDiagnostic;
}

const BARE_CR = /\r(?!\n)/;

export function parseToml(text: string): ParseResult {
  // Size, nesting and key length first: past the limits the parser's work (and stack) would not be bounded.
  const limit = checkLimits(text);
  if (limit) return { error: limit };
  // toml-eslint-parser accepts a lone CR; TOML 1.0 does not (control character, not a newline).
  const cr = BARE_CR.exec(text);
  if (cr)
    return {
      error: syntax(
        cr.index,
        1,
        'bare carriage return (CR without LF) is not allowed in TOML; use LF or CRLF line breaks',
      ),
    };
  try {
    return { ast: parseTOML(text, { tomlVersion: '1.0' }) };
  } catch (err) {
    const index = at(err, 'index');
    if (typeof index === 'number') {
      const open = unclosedOpener(text, index);
      if (open) return { error: open };
      const message = String(at(err, 'message'));
      return {
        error: syntax(index, tokenLength(text, index), `TOML syntax error: ${lowerFirst(message)}${hint(message)}`),
      };
    }
    // RangeError from very deep nesting, or any other parser failure: report, never throw.
    const msg =
      err instanceof RangeError
        ? 'the file is nested too deeply to parse'
        : `the TOML parser failed: ${messageOf(err)}`;
    return { error: syntax(0, 0, msg) };
  }
}

function syntax(start: number, length: number, message: string): ConfigDiagnostic {
  return { start, end: start + length, severity: 'error', message, code: 'toml-syntax' };
}

/** Widen the error to the token at the index so the squiggle is visible. */
function tokenLength(text: string, index: number): number {
  if (index >= text.length) return 0;
  const m = /^[^\s[\]{}=,#"']+/.exec(text.slice(index, index + 200));
  return m ? m[0].length : 1;
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

// The parser's messages say what is wrong; add how to fix the common ones.
function hint(message: string): string {
  if (/multiple times/.test(message))
    return ' (each key and table may be defined only once: merge or rename the duplicate)';
  if (/escape/.test(message))
    return ' (valid escapes: \\b \\t \\n \\f \\r \\" \\\\ \\uXXXX \\UXXXXXXXX; or use a literal string in single quotes)';
  if (/Unspecified values/.test(message)) return ' (write a value after `=`, e.g. a "string", a number or true/false)';
  if (/Unterminated string/i.test(message)) return ' (close the string with the same quote it opened with)';
  return '';
}

// toml-eslint-parser reads past the end of a line that forgot its closing bracket and reports whatever it meets
// next (`[local.dev` NEWLINE `port = 1` -> "the key, equals sign, and value must be on the same line" on `port`).
// The mistake is on the opening line: say so there, in taplo's words (`expected "]"`).

const KEY_PART = String.raw`(?:[A-Za-z0-9_-]+|"(?:[^"\\\n]|\\.)*"|'[^'\n]*')`;
const HEADER = new RegExp(String.raw`^([ \t]*)(\[\[?)[ \t]*(${KEY_PART}(?:[ \t]*\.[ \t]*${KEY_PART})*)[ \t]*(\]?)`);

function unclosedOpener(text: string, errorAt: number): ConfigDiagnostic | undefined {
  // The header is on the error's line or the line before it (the parser went on to the next line).
  const lineStart = text.lastIndexOf('\n', errorAt - 1) + 1;
  const candidates = [lineStart];
  if (lineStart > 0) candidates.push(text.lastIndexOf('\n', lineStart - 2) + 1);
  for (const start of candidates) {
    const d = unclosedHeader(text, start, errorAt) ?? unclosedInlineTable(text, start, errorAt);
    if (d) return d;
  }
  return undefined;
}

function lineAt(text: string, start: number): string {
  const nl = text.indexOf('\n', start);
  return text.slice(start, nl < 0 ? text.length : nl).replace(/\r$/, '');
}

function unclosedHeader(text: string, start: number, errorAt: number): ConfigDiagnostic | undefined {
  const line = lineAt(text, start);
  const m = HEADER.exec(line);
  if (!m) return undefined;
  const array = m[2] === '[[';
  const afterKey = start + m[0].length - m[4].length;
  const closed = array ? line.startsWith(']]', afterKey - start) : m[4] === ']';
  if (closed || errorAt < afterKey) return undefined;
  const rest = line.slice(afterKey - start);
  const trailingDot = /^\.[ \t]*(#.*)?$/.test(rest);
  // Otherwise a dot or quote after the key: the key itself is unfinished, and the parser's message says how.
  if (!trailingDot && /^[.'"]/.test(rest)) return undefined;
  // Only when the line is read as TOML (not inside a multi-line string or array): the text before it parses.
  if (!parsesUpTo(text, start)) return undefined;
  const from = start + m[1].length;
  if (trailingDot) {
    // The parser would take the next line's first word as the last part of this key and complain about that line.
    const close = array ? ']]' : ']';
    return syntax(
      from,
      afterKey + 1 - from,
      `TOML syntax error: keys cannot end with a dot: write the last part and close the header on its own line, e.g. \`${m[2]}${m[3]}.name${close}\``,
    );
  }
  let to = start + m[0].length;
  while (to > from && (text[to - 1] === ' ' || text[to - 1] === '\t')) to--;
  const close = array ? ']]' : ']';
  const got = line.slice(afterKey - start).trim();
  const found = got && !got.startsWith('#') ? `, found \`${got.length > 20 ? got.slice(0, 20) + '…' : got}\`` : '';
  return syntax(
    from,
    to - from,
    `TOML syntax error: expected "${close}"${found}: close the table header on its own line, e.g. \`${m[2]}${m[3]}${close}\``,
  );
}

/** An inline table left open at the end of its line (TOML 1.0 inline tables are one line). */
function unclosedInlineTable(text: string, start: number, errorAt: number): ConfigDiagnostic | undefined {
  const line = lineAt(text, start);
  const end = start + line.length;
  if (errorAt <= end) return undefined; // the error is not past this line's end
  const open: number[] = []; // positions of unclosed `{` and `[` on the line
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '#') break;
    if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < line.length && line[j] !== c) j += c === '"' && line[j] === '\\' ? 2 : 1;
      if (j >= line.length) return undefined; // an unterminated string: the parser's message is right
      i = j;
    } else if (c === '{' || c === '[') open.push(i);
    else if (c === '}' || c === ']') open.pop();
  }
  // An array may span lines, also inside an inline table: only an innermost open `{` is the mistake.
  if (!open.length || line[open[open.length - 1]] !== '{' || !parsesUpTo(text, start)) return undefined;
  const from = start + open[open.length - 1];
  let to = end;
  while (to > from && /\s/.test(text[to - 1])) to--;
  return syntax(
    from,
    to - from,
    'TOML syntax error: expected "}": newline is not allowed in an inline table; close it on the line it opens, or use a [table] for longer content',
  );
}

function parsesUpTo(text: string, at: number): boolean {
  try {
    parseTOML(text.slice(0, at), { tomlVersion: '1.0' });
    return true;
  } catch {
    return false;
  }
}
