import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { Journal, LOG_BATCH_LINES, isTerminal, whoAmI } from '../../../../src/core/engine/journal';
import { Redactor } from '../../../../src/core/process/redact';

function tmpFile(): string {
  const dir = fs.mkdtempSync(path.join(process.env.HELIX_TEST_TMP ?? os.tmpdir(), 'journal-'));
  return path.join(dir, 'runs.jsonl');
}

describe('journal', () => {
  it('records begin, transitions, logs and end durably and replays them', async () => {
    const file = tmpFile();
    const j = await Journal.open(file);
    const r = await j.begin({ kind: 'build', project: 'p', environment: 'dev', who: 'me', meta: { image: 'x:1' } });
    assert.equal(r.state, 'Running');
    await j.appendLog(r.id, 'step 1');
    await j.appendLog(r.id, 'step 2');
    await j.end(r.id, 'Succeeded');
    await j.close();
    const j2 = await Journal.open(file);
    const back = j2.get(r.id)!;
    assert.equal(back.state, 'Succeeded');
    assert.deepEqual(back.log, ['step 1', 'step 2']);
    assert.deepEqual(back.meta, { image: 'x:1' });
    assert.ok(back.endedAt);
    await j2.close();
  });

  it('refuses to change a terminal run and to end in a non-terminal state', async () => {
    const j = await Journal.open(tmpFile());
    const r = await j.begin({ kind: 'push', project: 'p', environment: 'e', who: 'me' });
    await assert.rejects(j.end(r.id, 'Running'), /not a terminal state/);
    await j.end(r.id, 'Failed', 'boom');
    await assert.rejects(j.transition(r.id, 'Running'), /already Failed/);
    await j.close();
  });

  it('marks runs left running by a killed process as Interrupted on open, and tolerates a torn last line', async () => {
    const file = tmpFile();
    // A child process begins a run and is killed mid-way (SIGKILL: no cleanup at all).
    const script = `
      const { Journal } = require(${JSON.stringify(path.resolve('src/core/engine/journal.ts'))});
      (async () => {
        const j = await Journal.open(${JSON.stringify(file)});
        const r = await j.begin({ kind: 'apply', project: 'p', environment: 'prod', who: 'ci', state: 'Applying' });
        await j.appendLog(r.id, 'halfway');
        process.kill(process.pid, 'SIGKILL');
      })();`;
    const res = spawnSync(process.execPath, ['--require', require.resolve('tsx/cjs'), '-e', script], {
      encoding: 'utf8',
    });
    assert.equal(res.signal, 'SIGKILL', res.stderr);
    fs.appendFileSync(file, '{"t":"state","id":"torn","sta'); // crash mid-write
    const j = await Journal.open(file);
    const [run] = j.list();
    assert.equal(run.state, 'Interrupted');
    assert.equal(run.meta?.interruptedFrom, 'Applying');
    assert.match(run.error!, /Interrupted/);
    assert.deepEqual(run.log, ['halfway']);
    // Appends after the torn line still parse.
    const r2 = await j.begin({ kind: 'build', project: 'p', environment: 'prod', who: 'me' });
    await j.close();
    const j2 = await Journal.open(file);
    assert.equal(j2.get(r2.id)?.state, 'Interrupted');
    assert.equal(j2.list().length, 2);
    await j2.close();
  });

  it('redacts log lines, errors and meta strings with the given redactor', async () => {
    const file = tmpFile();
    const red = new Redactor().add('canary-s3cr3t-value');
    const j = await Journal.open(file, { redact: (s) => red.redact(s) });
    const r = await j.begin({
      kind: 'plan',
      project: 'p',
      environment: 'e',
      who: 'me',
      meta: { v: 'x canary-s3cr3t-value' },
    });
    await j.appendLog(r.id, 'password=canary-s3cr3t-value');
    await j.end(r.id, 'Failed', 'failed with canary-s3cr3t-value');
    await j.close();
    const text = fs.readFileSync(file, 'utf8');
    assert.ok(!text.includes('canary-s3cr3t-value'));
    assert.ok(text.includes('(sensitive)'));
  });

  it('bounds the log per run and compacts the file, keeping the newest runs', async () => {
    const file = tmpFile();
    const j = await Journal.open(file, { maxLogLines: 10, compactBytes: 20_000, keepRuns: 3 });
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) {
      const r = await j.begin({ kind: 'build', project: 'p', environment: 'e', who: 'me' });
      ids.push(r.id);
      for (let k = 0; k < 50; k++) void j.appendLog(r.id, `line ${k} ${'x'.repeat(40)}`);
      await j.end(r.id, 'Succeeded');
    }
    const live = await j.begin({ kind: 'build', project: 'p', environment: 'e', who: 'me' });
    await j.compact();
    assert.equal(j.get(ids[7])!.log.length, 10);
    assert.equal(j.get(ids[7])!.logDropped, 40);
    await j.close();
    assert.ok(fs.statSync(file).size < 20_000);
    const j2 = await Journal.open(file);
    const list = j2.list();
    assert.equal(list.length, 4); // 3 terminal + the one that was live (now Interrupted)
    assert.equal(j2.get(live.id)!.state, 'Interrupted');
    assert.equal(j2.get(ids[0]), undefined);
    await j2.close();
  });

  it('writes a full batch of log lines at once instead of holding the output of a fast tool until the timer', async () => {
    const file = tmpFile();
    // A timer far beyond the test: only the batch size can cause the write.
    const j = await Journal.open(file, { logFlushMs: 600_000 });
    const r = await j.begin({ kind: 'apply', project: 'p', environment: 'e', who: 'me' });
    const before = fs.statSync(file).size;
    const lines = Array.from({ length: LOG_BATCH_LINES * 2 + 5 }, (_, i) => `line ${i}`);
    const written = lines.slice(0, LOG_BATCH_LINES * 2).map((l) => j.appendLog(r.id, l));
    await Promise.race([
      Promise.all(written),
      new Promise((_, reject) => setTimeout(() => reject(new Error('no write before the timer')), 10_000)),
    ]);
    for (const l of lines.slice(LOG_BATCH_LINES * 2)) void j.appendLog(r.id, l);
    const text = fs.readFileSync(file, 'utf8').slice(before);
    assert.ok(text.includes(`"line ${LOG_BATCH_LINES * 2 - 1}"`), 'the second batch is on disk');
    assert.ok(!text.includes(`"line ${LOG_BATCH_LINES * 2}"`), 'a line short of a batch waits for the timer');
    // The rest is written by the usual paths (end of the run), nothing lost or duplicated.
    await j.end(r.id, 'Succeeded');
    await j.close();
    const back = await Journal.open(file);
    assert.equal((await back.readLog(r.id, 0, lines.length + 10)).lines.join('\n'), lines.join('\n'));
    await back.close();
  });

  it('handles a failed log write itself, so streaming callers may ignore the promise of each line', async () => {
    const j = await Journal.open(tmpFile(), { logFlushMs: 5 });
    const r = await j.begin({ kind: 'apply', project: 'p', environment: 'e', who: 'me' });
    await j.close(); // every later write fails
    const unhandled: unknown[] = [];
    const on = (e: unknown) => unhandled.push(e);
    process.prependListener('unhandledRejection', on);
    try {
      for (let i = 0; i < 3; i++) void j.appendLog(r.id, `late ${i}`);
      await new Promise((done) => setTimeout(done, 200));
      assert.deepEqual(unhandled, []);
    } finally {
      process.off('unhandledRejection', on);
    }
  });

  it('fires onDidChange and filters list()', async () => {
    const j = await Journal.open(tmpFile());
    const seen: string[] = [];
    const sub = j.onDidChange((e) => seen.push(e.type));
    const a = await j.begin({ kind: 'build', project: 'p', environment: 'a', who: 'me' });
    await j.begin({ kind: 'push', project: 'p', environment: 'b', who: 'me' });
    await j.end(a.id, 'Succeeded');
    sub.dispose();
    assert.deepEqual(seen, ['begin', 'begin', 'state']);
    assert.equal(j.list({ environment: 'b' }).length, 1);
    assert.equal(j.list({ active: true }).length, 1);
    assert.equal(j.list({ kind: ['build', 'push'] }).length, 2);
    await j.close();
  });

  it('isTerminal and whoAmI', async () => {
    assert.ok(isTerminal('Applied') && isTerminal('Interrupted') && isTerminal('Succeeded'));
    assert.ok(!isTerminal('Planned') && !isTerminal('Approved') && !isTerminal('Running'));
    const who = await whoAmI(os.tmpdir());
    assert.ok(who.length > 0);
  });
});
