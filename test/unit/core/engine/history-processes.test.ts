import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Journal, type RunRecord } from '../../../../src/core/engine/journal';
import { poll } from '../../../support/poll';
import { collect } from '../../../support/process';

// Several real Node processes on one history file, as the CLI, another CLI and an editor window are.

const CHILD = path.resolve(__dirname, '../../../support/history-child.ts');

async function child(...args: string[]): Promise<string> {
  const r = await collect(process.execPath, ['--require', require.resolve('tsx/cjs'), CHILD, ...args]);
  if (r.code !== 0) throw new Error(`child ${args[0]} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

function historyFile(): string {
  const dir = fs.mkdtempSync(path.join(process.env.HELIX_TEST_TMP ?? os.tmpdir(), 'history-mp-'));
  fs.mkdirSync(path.join(dir, '.helix'));
  return path.join(dir, '.helix', 'runs.jsonl');
}

describe('run history shared by several processes', function () {
  this.timeout(120_000);

  it('two writers and a compacting process: no run lost, none duplicated, every state reached', async () => {
    const file = historyFile();
    const N = 25;
    const compactor = child('compact', file);
    const [idsA, idsB] = await Promise.all([
      child('write', file, String(N), 'a'),
      child('write', file, String(N), 'b'),
    ]);
    fs.writeFileSync(`${file}.stop`, '');
    const compactions = JSON.parse(await compactor) as number;
    assert.ok(compactions > 0, 'the third process compacted while the others wrote');
    const ids = [...JSON.parse(idsA), ...JSON.parse(idsB)] as string[];
    assert.equal(new Set(ids).size, 2 * N);

    // Each run has exactly one record line (begin, or a compaction's snapshot) in the file.
    const heads = new Map<string, number>();
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
      if (!line) continue;
      const e = JSON.parse(line);
      if (e.t === 'begin' || e.t === 'snap') heads.set(e.run.id, (heads.get(e.run.id) ?? 0) + 1);
    }
    for (const id of ids) assert.equal(heads.get(id), 1, `run ${id}: ${heads.get(id) ?? 0} record lines`);

    const j = await Journal.open(file);
    try {
      assert.equal(j.list().length, 2 * N, 'no other run appeared');
      for (const id of ids) {
        const r = j.get(id) as RunRecord;
        assert.ok(r, `run ${id} lost`);
        assert.equal(r.state, 'Applied', `run ${id} ended ${r.state}: ${r.error ?? ''}`);
        assert.deepEqual(
          r.log.map((l) => l.split(' ').pop()),
          ['Planning', 'Planned', 'Approved', 'Applying'],
          `run ${id} log`,
        );
      }
      assert.deepEqual(j.warnings, []);
    } finally {
      await j.close();
    }
  });

  it('a reader following the file sees a run another process appends, and after a compaction elsewhere', async () => {
    const file = historyFile();
    const reader = await Journal.open(file, { follow: true });
    try {
      const seen = new Map<string, string>();
      reader.onDidChange((e) => seen.set(e.run.id, e.run.state));
      const seenApplied = (id: string) =>
        poll(() => seen.get(id) === 'Applied', {
          what: `run ${id} of another process seen Applied by the follower`,
          timeoutMs: 5000,
        });
      const first = await child('begin', file, 'ci');
      await seenApplied(first);
      assert.equal(reader.list({ environment: 'ci' })[0]?.id, first);

      // Another process replaces the file (compaction), then appends: the follower re-reads the new file.
      const c = child('compact', file);
      await new Promise((r) => setTimeout(r, 300));
      fs.writeFileSync(`${file}.stop`, '');
      await c;
      fs.rmSync(`${file}.stop`);
      const second = await child('begin', file, 'ci2');
      await seenApplied(second);
      assert.deepEqual(
        reader
          .list()
          .map((r) => r.id)
          .sort(),
        [first, second].sort(),
      );
      // The reader can still write, into the live file.
      const mine = await reader.begin({ kind: 'build', project: 'demo', environment: 'dev', who: 'me' });
      await reader.end(mine.id, 'Succeeded');
      const again = await Journal.open(file);
      assert.equal(again.list().length, 3);
      await again.close();
    } finally {
      await reader.close();
    }
  });
});
