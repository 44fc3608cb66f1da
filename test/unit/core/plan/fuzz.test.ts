import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parsePlanDocument, PlanFormatError } from '../../../../src/core/plan/parse';
import { toJSON } from '../../../../src/core/plan/model';
import { Redactor } from '../../../../src/core/process/redact';
import { mutateJson, mutateText, rng } from '../../../support/fuzz';
import { sharedData } from '../../../support/shared';

// Saved plans come from files a user (or a broken pipe) may have changed: `terraform show -json`, `pulumi
// preview --json`, Pulumi event logs and `terraform plan -json` streams, mutated at the text level and at the
// JSON level (fields retyped, removed, replaced). Every input must give a model or a PlanFormatError - never
// a TypeError or a stack overflow - and the heap must not keep what it used. Seeded: failures reproduce.

const DIR = sharedData('plans');
const FILES = [...fs.readdirSync(DIR), ...fs.readdirSync(path.join(DIR, 'generated')).map((f) => `generated/${f}`)]
  .filter((f) => /\.jsonl?$/.test(f))
  .sort()
  .map((f) => ({ name: f, text: fs.readFileSync(path.join(DIR, f), 'utf8') }));
const TOKENS = [
  '{',
  '}',
  '[',
  ']',
  '"',
  ',',
  ':',
  'null',
  '\n',
  '"actions":',
  '"change":',
  '"steps":',
  '1e999',
  '\\u0000',
  '\uFEFF',
  '"format_version":"1.2",',
  '[[[[[[[[',
];

function decode(text: string, label: string): void {
  try {
    const model = parsePlanDocument(text, { redactor: new Redactor() });
    toJSON(model, { attributes: true });
  } catch (e) {
    if (e instanceof PlanFormatError) {
      assert.ok(e.message.length > 0 && e.message.length < 2000, `${label}: message of ${e.message.length} characters`);
      return;
    }
    assert.fail(`${label} threw ${(e as Error)?.constructor?.name}: ${(e as Error)?.stack ?? e}`);
  }
}

function mutated(r: () => number, text: string): string {
  if (r() < 0.4) return mutateText(r, text, TOKENS);
  const lines = text.split('\n');
  const single =
    lines.filter((l) => l.trim()).length === 1 || text.trimStart().startsWith('{\n') || !text.includes('\n{');
  if (single) {
    try {
      return JSON.stringify(mutateJson(r, JSON.parse(text)));
    } catch {
      return mutateText(r, text, TOKENS);
    }
  }
  // JSON lines: mutate a few lines as documents.
  for (let k = 0; k < 1 + Math.floor(r() * 3); k++) {
    const i = Math.floor(r() * lines.length);
    try {
      lines[i] = JSON.stringify(mutateJson(r, JSON.parse(lines[i])));
    } catch {
      /* a blank or broken line stays as it is */
    }
  }
  return lines.join('\n');
}

describe('plan: fuzz of the plan decoders (no crash, no hang, bounded memory)', function () {
  this.timeout(120000);

  it(`3,000 seeded mutations of the ${FILES.length} sample plans give a model or a PlanFormatError`, () => {
    assert.ok(FILES.length >= 10, 'sample plans missing');
    const r = rng(20261205);
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 3000; i++) {
      const f = FILES[i % FILES.length];
      decode(mutated(r, f.text), `${f.name} mutation#${i}`);
    }
    gc?.();
    const grown = (process.memoryUsage().heapUsed - before) / 1e6;
    assert.ok(grown < 100, `heap grew by ${grown.toFixed(0)} MB`);
  });

  it('truncations and encodings of every sample plan', () => {
    for (const f of FILES) {
      for (let n = 0; n < f.text.length; n += Math.max(1, Math.floor(f.text.length / 40)))
        decode(f.text.slice(0, n), `${f.name}@${n}`);
      decode('\uFEFF' + f.text, `${f.name} with BOM`);
      const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(f.text, 'utf16le')]);
      assert.doesNotThrow(() => {
        try {
          parsePlanDocument(utf16);
        } catch (e) {
          if (!(e instanceof PlanFormatError)) throw e;
        }
      }, f.name);
    }
  });

  it('null, wrongly typed and missing resource changes are a PlanFormatError or read, never a TypeError', () => {
    for (const rc of [
      null,
      1,
      'x',
      [],
      {},
      { change: null },
      { change: { actions: 'create' } },
      { address: {}, change: { actions: [null] } },
    ]) {
      decode(
        JSON.stringify({
          format_version: '1.2',
          resource_changes: [rc],
          resource_drift: [rc],
          deferred_changes: [{ resource_change: rc }],
        }),
        JSON.stringify(rc),
      );
    }
    assert.throws(
      () => parsePlanDocument(JSON.stringify({ format_version: '1.2', resource_changes: [null] })),
      PlanFormatError,
    );
  });
});
