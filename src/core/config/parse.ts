import { parseTOML, type AST } from 'toml-eslint-parser';
import type { ConfigDiagnostic } from './types';

// TOML 1.0 (what the helix CLI's `toml` crate reads) via toml-eslint-parser: exact UTF-16 ranges on every node.
// The parser stops at the first error, so a broken file yields one syntax diagnostic.

export interface ParseResult {
  ast?: AST.TOMLProgram;
  error?: ConfigDiagnostic;
}

const BARE_CR = /\r(?!\n)/;

export function parseToml(text: string): ParseResult {
  // toml-eslint-parser accepts a lone CR; TOML 1.0 does not (control character, not a newline).
  const cr = BARE_CR.exec(text);
  if (cr) return { error: syntax(cr.index, 1, 'bare carriage return (CR without LF) is not allowed in TOML; use LF or CRLF line breaks') };
  try {
    return { ast: parseTOML(text, { tomlVersion: '1.0' }) };
  } catch (err: any) {
    if (err && typeof err.index === 'number') {
      return { error: syntax(err.index, tokenLength(text, err.index), `TOML syntax error: ${lowerFirst(String(err.message))}${hint(String(err.message))}`) };
    }
    // RangeError from very deep nesting, or any other parser failure: report, never throw.
    const msg = err instanceof RangeError ? 'the file is nested too deeply to parse' : `the TOML parser failed: ${String(err?.message ?? err)}`;
    return { error: syntax(0, 0, msg) };
  }
}

function syntax(start: number, length: number, message: string): ConfigDiagnostic {
  return { start, end: start + length, severity: 'error', message, code: 'toml-syntax' };
}

/** Widen the error to the token at the index so the squiggle is visible. */
function tokenLength(text: string, index: number): number {
  if (index >= text.length) return 0;
  const m = /^[^\s\[\]{}=,#"']+/.exec(text.slice(index, index + 200));
  return m ? m[0].length : 1;
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

// The parser's messages say what is wrong; add how to fix the common ones.
function hint(message: string): string {
  if (/multiple times/.test(message)) return ' (each key and table may be defined only once: merge or rename the duplicate)';
  if (/escape/.test(message)) return ' (valid escapes: \\b \\t \\n \\f \\r \\" \\\\ \\uXXXX \\UXXXXXXXX; or use a literal string in single quotes)';
  if (/Unspecified values/.test(message)) return ' (write a value after `=`, e.g. a "string", a number or true/false)';
  if (/Unterminated string/i.test(message)) return ' (close the string with the same quote it opened with)';
  return '';
}
