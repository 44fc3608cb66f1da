import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decode } from './tagged';
import { validateConfig } from '../../../../src/core/config/validate';
import { sharedData } from '../../../support/shared';

// The toml-test corpus (TOML 1.0 lists): every valid file decodes to the expected tagged JSON, every invalid
// file is rejected with a diagnostic and nothing throws. The corpus must be present: a missing corpus fails.
const CORPUS = process.env.TOML_TEST_DIR ?? sharedData('toml-test');

function readUtf8(file: string): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(fs.readFileSync(file));
  } catch {
    return undefined; // invalid encoding: rejected before parsing, as the CLI and the editor do
  }
}

function norm(v: any): any {
  if (Array.isArray(v)) return v.map(norm);
  if (v && typeof v === 'object' && typeof v.type === 'string' && 'value' in v && Object.keys(v).length === 2) {
    if (v.type === 'float')
      return {
        type: 'float',
        value: ['nan', 'inf', '-inf', '+inf', '+nan', '-nan'].includes(v.value)
          ? v.value.replace(/^\+/, '').replace(/^-nan$/, 'nan')
          : Number(v.value),
      };
    if (v.type.startsWith('datetime') || v.type.endsWith('-local')) return { type: v.type, value: normDate(v.value) };
    return v;
  }
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, norm(x)]));
  return v;
}

/** RFC 3339 normal form: `T` separator, upper-case `Z`, milliseconds only, seconds always present. */
function normDate(s: string): string {
  let t = s.replace(/^(\d{4}-\d{2}-\d{2})[ tT]/, '$1T').replace(/z$/, 'Z');
  t = t.replace(
    /(\d{2}:\d{2}:\d{2})(\.\d+)?/,
    (_m, hms, frac) => `${hms}.${((frac ?? '.').slice(1) + '000').slice(0, 3)}`,
  );
  return t.replace(/\+00:00$|-00:00$/, 'Z');
}

describe('config: toml-test corpus (TOML 1.0)', function () {
  this.timeout(60000);
  const list = path.join(CORPUS, 'files-toml-1.0.0');
  it('the corpus is present', () => assert.ok(fs.existsSync(list), `toml-test corpus not found at ${CORPUS}`));
  if (!fs.existsSync(list)) return;
  const files = fs
    .readFileSync(list, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const valid = files.filter((f) => f.startsWith('valid/') && f.endsWith('.toml'));
  const invalid = files.filter((f) => f.startsWith('invalid/') && f.endsWith('.toml'));

  it('lists 210 valid and 499 invalid cases', () => {
    assert.equal(valid.length, 210);
    assert.equal(invalid.length, 499);
  });

  it('every valid file decodes to the expected tagged JSON', () => {
    const failures: string[] = [];
    for (const f of valid) {
      const text = readUtf8(path.join(CORPUS, f));
      try {
        if (text === undefined) throw new Error('not UTF-8');
        const expected = JSON.parse(fs.readFileSync(path.join(CORPUS, f.replace(/\.toml$/, '.json')), 'utf8'));
        assert.deepStrictEqual(norm(decode(text)), norm(expected));
      } catch (e) {
        failures.push(`${f}: ${(e as Error).message.split('\n').slice(0, 6).join(' ')}`);
      }
    }
    assert.deepEqual(failures, []);
  });

  it('every invalid file is rejected with a diagnostic, without throwing', () => {
    const accepted: string[] = [];
    for (const f of invalid) {
      const text = readUtf8(path.join(CORPUS, f));
      if (text === undefined) continue;
      // As a deploy file: diagnostics always apply (no [project] gate).
      const r = validateConfig(text, { kind: 'deploy' });
      if (!r.diagnostics.some((d) => d.code === 'toml-syntax')) accepted.push(f);
    }
    assert.deepEqual(accepted, []);
  });
});
