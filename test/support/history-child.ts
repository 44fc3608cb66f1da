import * as fs from 'node:fs';
import * as path from 'node:path';
import { Journal } from '../../src/core/engine/journal';

// A separate process on a shared history file (spawned by test/unit/engine/history-processes.test.ts and the CLI integration test):
//   write FILE N TAG   - N plan runs walked through every state to Applied, with a log line per state
//   compact FILE       - compacts the file over and over until FILE.stop exists
//   begin FILE TAG     - records one run and prints its id (a CLI whose run another process should see)
// Small compactBytes: the writers compact too. keepRuns is large: compaction must drop nothing here.

const [mode, file, a, b] = process.argv.slice(2) as [string, string, string?, string?];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

(async () => {
  const j = await Journal.open(file, { compactBytes: 16_384, keepRuns: 100_000, logFlushMs: 2 });
  if (mode === 'write') {
    const ids: string[] = [];
    for (let i = 0; i < Number(a); i++) {
      const r = await j.begin({
        kind: 'plan',
        project: 'demo',
        projectDir: path.dirname(path.dirname(file)),
        environment: `env-${b}`,
        who: String(b),
        state: 'Draft',
      });
      for (const s of ['Planning', 'Planned', 'Approved', 'Applying'] as const) {
        void j.appendLog(r.id, `${b} ${i} ${s}`);
        await j.transition(r.id, s);
      }
      await j.end(r.id, 'Applied');
      ids.push(r.id);
    }
    process.stdout.write(JSON.stringify(ids));
  } else if (mode === 'compact') {
    let n = 0;
    while (!fs.existsSync(`${file}.stop`)) {
      await j.compact();
      n++;
      await sleep(3);
    }
    process.stdout.write(JSON.stringify(n));
  } else if (mode === 'begin') {
    const r = await j.begin({
      kind: 'apply',
      project: 'demo',
      projectDir: path.dirname(path.dirname(file)),
      environment: 'ci',
      who: String(a),
      state: 'Applying',
    });
    await j.end(r.id, 'Applied');
    process.stdout.write(r.id);
  }
  await j.close();
})().catch((err) => {
  process.stderr.write(String(err?.stack ?? err));
  process.exit(1);
});
