import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Journal } from '../../../../src/core/engine/journal';
import { isTerminal } from '../../../../src/core/engine/states';
import { mutateText, pick, randomJson, rng } from '../../../support/fuzz';

// The run history is a file every CLI and editor window appends to, and one a user may edit or a full disk may
// truncate: no line may stop the history from opening, or the runs after it from being recorded. Seeded
// mutations of real journal lines (text-level and JSON-level); each case opens the journal, must report
// what it skipped with a line number, and must still take a new run to a terminal state.

const AT = '2026-01-01T00:00:00.000Z';
const GOOD = [
  {
    t: 'begin',
    run: {
      id: 'r1',
      kind: 'plan',
      project: 'p',
      projectDir: '/w/p',
      environment: 'e',
      who: 'me',
      startedAt: AT,
      updatedAt: AT,
      state: 'Draft',
      meta: { tool: 'terraform' },
    },
  },
  { t: 'state', id: 'r1', state: 'Planning', at: AT },
  { t: 'log', id: 'r1', lines: ['terraform plan', 'Plan: 1 to add'] },
  { t: 'meta', id: 'r1', meta: { planHash: 'abc' } },
  { t: 'state', id: 'r1', state: 'Planned', at: AT, meta: { summary: { add: 1 } } },
  { t: 'state', id: 'r1', state: 'Saved', at: AT },
  {
    t: 'snap',
    run: {
      id: 'r2',
      kind: 'build',
      project: 'p',
      environment: 'dev',
      who: 'me',
      startedAt: AT,
      updatedAt: AT,
      state: 'Succeeded',
      log: ['ok'],
    },
  },
];
const TOKENS = [
  '{',
  '}',
  '[',
  ']',
  '"',
  ',',
  ':',
  'null',
  '"log"',
  '"state"',
  '"id"',
  '"run"',
  '"t"',
  '"begin"',
  '"snap"',
  '\n',
  '\\',
  '\u0000',
  '\uD800',
  '1e999',
  '-0',
  'true',
];
const FIELDS = ['t', 'id', 'run', 'state', 'at', 'lines', 'meta', 'error', 'log', 'kind', 'startedAt'];

function mutateJson(r: () => number, v: unknown, depth = 0): unknown {
  if (v === null || typeof v !== 'object' || depth > 3) return r() < 0.5 ? randomJson(r) : v;
  const o: Record<string, unknown> = Array.isArray(v) ? { ...v } : { ...(v as Record<string, unknown>) };
  const keys = Object.keys(o);
  const op = r();
  if (op < 0.3 && keys.length) o[pick(r, keys)] = randomJson(r);
  else if (op < 0.5 && keys.length) delete o[pick(r, keys)];
  else if (op < 0.7) o[pick(r, FIELDS)] = randomJson(r);
  else if (keys.length) {
    const k = pick(r, keys);
    o[k] = mutateJson(r, o[k], depth + 1);
  }
  return Array.isArray(v) ? Object.values(o) : o;
}

describe('run history: fuzzed journal lines (no crash, runs go on)', function () {
  this.timeout(120_000);
  const dir = fs.mkdtempSync(path.join(process.env.HELIX_TEST_TMP ?? os.tmpdir(), 'journal-fuzz-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('1,500 seeded mutations: the journal opens, names each skipped line, and records a new run', async () => {
    const r = rng(20261205);
    const before = process.memoryUsage().heapUsed;
    for (let n = 0; n < 1500; n++) {
      const lines = GOOD.map((l) => JSON.stringify(l));
      const edits = 1 + Math.floor(r() * 3);
      for (let k = 0; k < edits; k++) {
        const i = Math.floor(r() * lines.length);
        lines[i] =
          r() < 0.5
            ? mutateText(r, lines[i]!, TOKENS)
            : JSON.stringify(mutateJson(r, JSON.parse(JSON.stringify(GOOD[i]))));
      }
      const file = path.join(dir, `case-${n}.jsonl`);
      const text = lines.join('\n') + (r() < 0.8 ? '\n' : '');
      fs.writeFileSync(file, text);
      const lineCount = text.split('\n').length;
      let j: Journal;
      try {
        j = await Journal.open(file);
      } catch (err) {
        assert.fail(`case ${n}: opening threw ${(err as Error).stack}\n${lines.join('\n')}`);
      }
      try {
        for (const w of j.warnings) {
          assert.equal(w.file, file, `case ${n}`);
          assert.ok(
            Number.isInteger(w.line) && w.line >= 1 && w.line <= lineCount,
            `case ${n}: line ${w.line} of ${lineCount}`,
          );
        }
        // Whatever survived is listable and well-typed enough to render.
        for (const run of j.list()) {
          assert.equal(typeof run.id, 'string', `case ${n}`);
          assert.ok(Array.isArray(run.log), `case ${n}: log of ${run.id}`);
        }
        const run = await j.begin({
          kind: 'apply',
          project: 'p',
          projectDir: '/w/p',
          environment: 'e',
          who: 'fuzz',
          state: 'Planned',
        });
        await j.transition(run.id, 'Approved');
        await j.transition(run.id, 'Applying');
        void j.appendLog(run.id, 'applying');
        await j.end(run.id, 'Applied');
        assert.ok(isTerminal(j.get(run.id)!.state), `case ${n}`);
      } finally {
        await j.close();
      }
      // The new run is on disk for the next process, whatever the earlier lines were.
      const again = await Journal.open(file);
      try {
        assert.equal(
          again.list({ environment: 'e', kind: 'apply' }).filter((x) => x.who === 'fuzz' && x.state === 'Applied')
            .length,
          1,
          `case ${n}`,
        );
      } finally {
        await again.close();
      }
      fs.rmSync(file, { force: true });
    }
    (globalThis as { gc?: () => void }).gc?.();
    assert.ok(process.memoryUsage().heapUsed - before < 200e6, 'heap stays bounded');
  });
});
