// A run's log of 1,000,000 lines: the journal keeps a bounded tail in memory, the whole log on disk (through
// compactions, which drop log lines from runs.jsonl), and any page of older lines reads back exactly.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { Journal } from '../../../../src/core/engine/journal';
import { INDEX_STEP, readRunLog, runLogFile } from '../../../../src/core/logs/runLog';

const LINES = 1_000_000;
v8.setFlagsFromString('--expose-gc');
/** A full collection, so the heap figure is what is kept, not garbage waiting. */
const gc = vm.runInNewContext('gc') as () => void;
const line = (i: number) => `terraform_data.r[${i}]: Creating... elapsed ${i % 60}s`;

describe('run log of 1,000,000 lines: a tail in memory, the whole log on disk', function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runlog-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("keeps maxLogLines in the record, every line in the run's file, and reads any page back", async () => {
    const file = path.join(dir, '.helix', 'runs.jsonl');
    // A small compaction threshold: the journal compacts while the log runs, as a real history would.
    const j = await Journal.open(file, { maxLogLines: 5000, compactBytes: 4 * 1024 * 1024, logFlushMs: 20 });
    const r = await j.begin({ kind: 'apply', project: 'p', environment: 'e', who: 'me' });
    gc();
    const heap0 = process.memoryUsage().heapUsed;
    let last: Promise<void> = Promise.resolve();
    for (let i = 0; i < LINES; i++) {
      last = j.appendLog(r.id, line(i));
      if (i % 50_000 === 49_999) {
        await last;
        await j.patch(r.id, { at: i }); // a state-like write: compaction may run in between
        await j.compact();
      }
    }
    await last;
    const rec = j.get(r.id)!;
    assert.equal(rec.log.length, 5000, 'the record holds the tail only');
    assert.equal(rec.logDropped, LINES - 5000);
    assert.equal(rec.log[4999], line(LINES - 1));
    assert.ok(fs.statSync(file).size < 4 * 1024 * 1024 + 1_000_000, 'runs.jsonl stays compacted');

    const logFile = runLogFile(path.dirname(file), r.id);
    const all = await j.readLog(r.id, 0, 3);
    assert.equal(all.total, LINES, 'every line is on disk');
    assert.deepEqual(all.lines, [line(0), line(1), line(2)]);
    const mid = await j.readLog(r.id, 654_321, 5000);
    assert.equal(mid.lines.length, 5000);
    assert.equal(mid.lines[0], line(654_321));
    assert.equal(mid.lines[4999], line(654_321 + 4999));
    const older = await j.readLog(r.id, LINES - 5000 - 5000, 5000);
    assert.equal(older.lines.at(-1), line(LINES - 5001), 'the page just before the tail ends where the tail begins');
    const past = await readRunLog(logFile, LINES - 2, 10);
    assert.deepEqual(past.lines, [line(LINES - 2), line(LINES - 1)], 'clamped at the end');
    assert.equal(fs.statSync(logFile).mode & 0o777, 0o600);
    gc();
    // Memory: a tail of 5,000 lines and a sparse index, not a million strings (~60 MB).
    const grown = (process.memoryUsage().heapUsed - heap0) / 1048576;
    assert.ok(grown < 40, `heap grew ${grown.toFixed(0)} MB`);
    await j.end(r.id, 'Applied');
    await j.close();

    // Another process (a fresh journal) reads the same log from the file.
    const j2 = await Journal.open(file);
    const again = await j2.readLog(r.id, INDEX_STEP * 3 + 7, 2);
    assert.deepEqual(again.lines, [line(INDEX_STEP * 3 + 7), line(INDEX_STEP * 3 + 8)]);
    await j2.close();
  });

  it('a line with newlines or quotes reads back as logged; a run dropped by compaction takes its log file along', async () => {
    const file = path.join(dir, '.helix', 'runs.jsonl');
    const j = await Journal.open(file, { keepRuns: 1, logFlushMs: 5 });
    const a = await j.begin({ kind: 'build', project: 'p', environment: 'e', who: 'me' });
    await j.appendLog(a.id, 'two\nlines "quoted" \\ done');
    await j.end(a.id, 'Succeeded');
    assert.deepEqual((await j.readLog(a.id, 0, 10)).lines, ['two\nlines "quoted" \\ done']);
    const b = await j.begin({ kind: 'build', project: 'p', environment: 'e', who: 'me' });
    await j.appendLog(b.id, 'b');
    await j.end(b.id, 'Succeeded');
    await j.compact();
    assert.equal(fs.existsSync(runLogFile(path.dirname(file), a.id)), false, "the dropped run's log is gone");
    assert.deepEqual((await j.readLog(b.id, 0, 10)).lines, ['b']);
    await j.close();
  });
});
