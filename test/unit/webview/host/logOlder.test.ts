// "Load older" in the panel: the host says where its log tail starts in the run's whole log, and serves the
// lines before any point from the run's log file (real journal, real engine backend); the app's buffer takes
// older lines only while it has room, never pushing out the newest.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Journal } from '../../../../src/core/engine/journal';
import { LogBuffer } from '../../../../src/webview/model/logBuffer';
import { LOG_OLDER_PAGE, PanelSession } from '../../../../src/webview/host/session';
import type { HostMessage } from '../../../../src/webview/protocol';
import { FakeBackend } from '../fixtures';

describe("panel: load older log lines from the run's log on disk", function () {
  this.timeout(60_000);

  it('the snapshot says where its tail starts; logOlder returns the page before, from the file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'log-older-'));
    const j = await Journal.open(path.join(dir, '.helix', 'runs.jsonl'), { maxLogLines: 1000, logFlushMs: 5 });
    try {
      const run = await j.begin({ kind: 'apply', project: 'p', environment: 'e', who: 'me' });
      let last: Promise<void> = Promise.resolve();
      for (let i = 0; i < 20_000; i++) last = j.appendLog(run.id, `line ${i}`);
      await last;
      const rec = j.get(run.id)!;
      const b = new FakeBackend();
      b.readLog = (id, from, count) => j.readLog(id, from, count);
      b.setRun(
        'Applying',
        undefined,
        { id: run.id },
        rec.log.map((text) => ({ t: 1, text })),
      );
      b.snap!.logFrom = rec.logDropped;
      const posted: HostMessage[] = [];
      const s = new PanelSession(b.envView.key, b, {
        post: (m) => void posted.push(m),
        openDiff() {},
        copy: async () => {},
        save: async () => {},
        log() {},
      });
      await s.handle({ type: 'ready', version: 1 });
      const snap = posted[0] as Extract<HostMessage, { type: 'snapshot' }>;
      assert.equal(snap.state.runLogFrom, 19_000);
      assert.equal(snap.state.logs.run[0]!.text, 'line 19000');
      await s.handle({ type: 'logOlder', runId: run.id, before: 19_000 });
      const older = posted.at(-1) as Extract<HostMessage, { type: 'logOlder' }>;
      assert.equal(older.type, 'logOlder');
      assert.equal(older.from, 19_000 - LOG_OLDER_PAGE);
      assert.equal(older.lines.length, LOG_OLDER_PAGE);
      assert.equal(older.lines[0]!.text, `line ${19_000 - LOG_OLDER_PAGE}`);
      assert.equal(older.lines.at(-1)!.text, 'line 18999');
      await s.handle({ type: 'logOlder', runId: run.id, before: 3 });
      const first = posted.at(-1) as Extract<HostMessage, { type: 'logOlder' }>;
      assert.deepEqual(
        first.lines.map((l) => l.text),
        ['line 0', 'line 1', 'line 2'],
      );
      const n = posted.length;
      await s.handle({ type: 'logOlder', runId: 'another-run', before: 100 });
      assert.equal(posted.length, n, "only the shown run's log");
      s.dispose();
    } finally {
      await j.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the app buffer prepends older lines only into free room', () => {
    const buf = new LogBuffer(1000);
    buf.push(Array.from({ length: 900 }, (_, i) => ({ t: 1, text: `new ${i}` })));
    const added = buf.prepend(Array.from({ length: 500 }, (_, i) => ({ t: 0, text: `old ${i}` })));
    assert.equal(added, 100);
    assert.equal(buf.length, 1000);
    assert.equal(buf.at(0)!.text, 'old 400', 'the lines just before the kept ones');
    assert.equal(buf.at(99)!.text, 'old 499');
    assert.equal(buf.at(100)!.text, 'new 0');
    assert.equal(buf.at(999)!.text, 'new 899', 'the newest line is still there');
    assert.equal(buf.prepend([{ t: 0, text: 'x' }]), 0, 'full: nothing more');
  });
});
