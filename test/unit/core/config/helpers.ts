import * as fs from 'node:fs';
import * as path from 'node:path';
import { validateConfig, type ValidateOptions } from '../../../../src/core/config/validate';
import { schemaFor, type SchemaId } from '../../../../src/core/config/schema';
import type { Schema } from '../../../../src/core/config/schema/build';
import { LineIndex } from '../../../../src/core/config/text';
import { applyEdits } from '../../../../src/core/config/edit';
import type { ConfigDiagnostic } from '../../../../src/core/config/types';

export const FIXTURES = path.resolve(__dirname, '../../../fixtures/config');
export const fixture = (rel: string) => fs.readFileSync(path.join(FIXTURES, rel), 'utf8');

/** The keys of a `[local.<name>]` table in one generation's schema. */
export const localTableKeys = (gen: SchemaId) =>
  (schemaFor(gen).properties!.local!.additionalProperties as Schema).properties!;

export interface Seen {
  /** 1-based line:col of the start. */
  at: string;
  code: string;
  severity: string;
  message: string;
  /** The text the diagnostic covers. */
  text: string;
  d: ConfigDiagnostic;
}

/** A generation given by a test is the one validated for (as `helix-deploy validate --generation`). */
const pin = (o: ValidateOptions): ValidateOptions => ({ pinGeneration: o.generation !== undefined, ...o });

export function check(text: string, o: ValidateOptions = {}): Seen[] {
  const li = new LineIndex(text);
  return validateConfig(text, pin(o)).diagnostics.map((d) => {
    const p = li.position(d.start);
    return {
      at: `${p.line + 1}:${p.character + 1}`,
      code: d.code,
      severity: d.severity,
      message: d.message,
      text: text.slice(d.start, d.end),
      d,
    };
  });
}

export function codes(text: string, o: ValidateOptions = {}): string[] {
  return check(text, o).map((s) => s.code);
}

/** Apply the fix with the given title (or the preferred one) of the first diagnostic with `code`. */
export function fix(text: string, code: string, o: ValidateOptions = {}, title?: string): string {
  const d = validateConfig(text, pin(o)).diagnostics.find((x) => x.code === code);
  if (!d) throw new Error(`no ${code} diagnostic`);
  const f = d.fixes?.find((x) => (title ? x.title === title : x.preferred)) ?? d.fixes?.[0];
  if (!f) throw new Error(`no fix for ${code}`);
  return applyEdits(text, f.edits);
}
