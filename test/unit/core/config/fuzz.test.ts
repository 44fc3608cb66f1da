import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { validateConfig } from '../../../../src/core/config/validate';
import { readProject } from '../../../../src/core/config/project';
import { GENERATIONS, type GenerationSetting } from '../../../../src/core/config/generation';
import { MAX_FILE_CHARS } from '../../../../src/core/config/limits';
import { fixture } from './helpers';
import { mutateText, rng } from '../../../support/fuzz';
import { CASES, SELF, type Outcome } from '../../../support/pathological';

// No input may crash, hang or exhaust the validator: random bytes, truncations, mutations, and the pathological
// inputs of test/support/pathological.ts (huge, deep, many). Seeded, so failures are reproducible. Memory is
// checked as heap growth that stays after the work (a leak or a retained blow-up), and the pathological cases
// run under a capped heap in a child process: a regression fails with the case's name instead of an
// out-of-memory crash of the test run. Speed is in test/bench/config.bench.ts.

const ALL_GENS: readonly GenerationSetting[] = ['auto', ...GENERATIONS];

function mustNotThrow(text: string, label: string, gens: readonly GenerationSetting[] = ALL_GENS): void {
  for (const kind of ['helix', 'deploy'] as const) {
    for (const generation of gens) {
      try {
        const r = validateConfig(text, { kind, generation, helixText: text });
        for (const d of r.diagnostics) {
          assert.ok(
            d.start >= 0 && d.end >= d.start && d.end <= text.length,
            `${label}: range ${d.start}-${d.end} outside 0-${text.length}`,
          );
          assert.ok(
            d.message.length > 0 && d.message.length < 5000,
            `${label}: message of ${d.message.length} characters`,
          );
        }
      } catch (e) {
        assert.fail(`${label} (${kind}, ${generation}) threw: ${(e as Error).stack}`);
      }
    }
  }
  readProject('/w/helix.toml', text, text);
}

/** Runs `work`, then checks that the heap did not keep growing by more than `mb` (garbage collected first when possible). */
function boundedHeap(mb: number, work: () => void): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage().heapUsed;
  work();
  gc?.();
  const grown = (process.memoryUsage().heapUsed - before) / 1e6;
  assert.ok(grown < mb, `heap grew by ${grown.toFixed(0)} MB (bound ${mb} MB)`);
}

const SEEDS = [
  fixture('v2/helix.toml'),
  fixture('v3.1/helix.toml'),
  fixture('v3-1025/helix.toml'),
  fixture('deploy/helix.deploy.toml'),
  fixture('typical/helix.toml'),
];
const TOKENS = [
  '[',
  ']',
  '[[',
  ']]',
  '=',
  '"',
  "'",
  '"""',
  "'''",
  '\n',
  '\r\n',
  '\r',
  '.',
  ',',
  '{',
  '}',
  '#',
  '\\',
  '\\u',
  '0x',
  '1e9',
  'inf',
  'nan',
  '1979-05-27T07:32:00Z',
  'project',
  'local',
  'environments',
  'terraform',
  's3',
  'storage',
  '\u0000',
  '\uFEFF',
  '\uD800',
  'é',
  ' ',
  'a.b.c.d.e.f',
  '[[[[[[[[',
  '{a={b={c=',
  '"x"."y"',
];

describe('config: fuzz (no crash, no hang, bounded memory)', function () {
  this.timeout(120000);

  it('random bytes decoded as UTF-8', () => {
    const r = rng(1);
    boundedHeap(100, () => {
      for (let i = 0; i < 300; i++) {
        const bytes = Buffer.from(Array.from({ length: Math.floor(r() * 400) }, () => Math.floor(r() * 256)));
        mustNotThrow(bytes.toString('utf8'), `random#${i}`);
      }
    });
  });

  it('every truncation of the sample files', () => {
    boundedHeap(100, () => {
      for (const s of SEEDS)
        for (let n = 0; n <= s.length; n += 3) mustNotThrow(s.slice(0, n), `truncate@${n}`, ['auto']);
    });
  });

  it('2,000 seeded mutations of helix.toml and helix.deploy.toml', () => {
    const r = rng(7);
    boundedHeap(100, () => {
      for (let i = 0; i < 2000; i++)
        mustNotThrow(mutateText(r, SEEDS[i % SEEDS.length], TOKENS), `mutation#${i}`, i % 4 ? ['auto'] : ALL_GENS);
    });
  });

  it('files past the size limit get one clear error and nothing else', () => {
    const lines = ['[project]', 'name = "big"'];
    for (let i = 0; lines.join('\n').length <= MAX_FILE_CHARS; i++)
      lines.push(`[local.i${i}]`, `port = ${10000 + (i % 50000)}`, `# comment ${i}`);
    const r = validateConfig(lines.join('\n') + '\n');
    assert.deepEqual(
      r.diagnostics.map((d) => [d.code, d.start, d.end]),
      [['toml-limit', 0, 0]],
    );
    assert.match(r.diagnostics[0].message, /Helix Deploy reads TOML files of up to 131,072 characters/);
  });

  it('pathological inputs: a clear error or a result, within a 384 MB heap, in a child process', function () {
    this.timeout(180000);
    const r = spawnSync(process.execPath, ['--max-old-space-size=384', '--expose-gc', '--import', 'tsx', SELF], {
      cwd: path.resolve(__dirname, '../../../..'),
      env: { ...process.env, HELIX_PATHOLOGICAL_CHILD: '1' },
      encoding: 'utf8',
      timeout: 170000,
      maxBuffer: 64 * 1024 * 1024,
    });
    const done: Outcome[] = r.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    const next = CASES[done.length];
    assert.ok(
      !next,
      `the child died (${r.signal ?? `exit ${r.status}`}) in case "${next?.name}": ${r.stderr
        .split('\n')
        .filter((l) => /error|heap|stack/i.test(l))
        .slice(0, 3)
        .join(' | ')}`,
    );
    for (const o of done) {
      assert.equal(o.error, undefined, `${o.name}: ${o.error}`);
      assert.ok(o.heapMB < 100, `${o.name}: heap kept ${o.heapMB.toFixed(0)} MB`);
      assert.ok(o.rssMB < 600, `${o.name}: rss ${o.rssMB.toFixed(0)} MB`);
    }
    const by = new Map(done.map((o) => [o.name, o]));
    const limited = (name: string, re: RegExp) => {
      const o = by.get(name)!;
      assert.ok(o.codes.includes('toml-limit'), `${name}: ${o.codes.join(', ')}`);
      assert.match(o.messages.join('\n'), re, name);
    };
    limited('dotted key, 40,000 parts (80 KB line)', /more than 64 dotted parts/);
    limited('table header, 40,000 parts', /more than 64 dotted parts/);
    limited('quoted dotted key, 30,000 parts', /more than 64 dotted parts/);
    limited('helix.deploy.toml of 40 KB dotted key', /more than 64 dotted parts/);
    limited('unknown key of 5 MB', /up to 131,072 characters/);
    limited('unknown key of 100 KB', /keys of up to 1,024 characters/);
    limited('string of 1 MB', /up to 131,072 characters/);
    limited('string of 120,000 characters', /strings of up to 65,536 characters/);
    limited('arrays nested 60,000 deep', /nested more than 64 levels/);
    limited('arrays opened 60,000 deep, never closed', /nested more than 64 levels/);
    limited('inline tables nested 30,000 deep', /nested more than 64 levels/);
    limited('array of 20,000 inline tables', /more than 10,000 keys, values and tables/);
    limited('1 MB of instances', /up to 131,072 characters/);
    // Within the limits: a real result (no limit error), bounded anyway.
    for (const name of [
      'unknown key of 1,000 characters',
      'enum value of 60,000 characters',
      'instance reference of 60,000 characters',
      '4,500 instances (near the item limit)',
      '9,900 unknown keys (near the item limit)',
      'array of 9,990 numbers',
    ]) {
      assert.ok(!by.get(name)!.codes.includes('toml-limit'), `${name}: ${by.get(name)!.codes.join(', ')}`);
    }
    assert.ok(by.get('unknown key of 1,000 characters')!.codes.includes('unknown-key'));
    assert.ok(by.get('enum value of 60,000 characters')!.codes.includes('enum'));
    for (const name of [
      'plan: Terraform values nested 100,000 deep',
      'plan: Pulumi preview nested 100,000 deep',
      'plan: Pulumi event log line nested 100,000 deep',
    ]) {
      assert.deepEqual(by.get(name)!.codes, ['PlanFormatError'], name);
      assert.match(by.get(name)!.messages[0], /nests values more than 256 levels deep/, name);
    }
    assert.deepEqual(by.get('plan: Terraform values nested 200 deep (read)')!.codes, ['ok']);
  });
});
