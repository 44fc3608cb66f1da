import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { historyFile, RunHistory } from '../../src/core/engine/history';
import { HISTORY_PAGE, historyPage } from '../../src/core/engine/historyPage';
import type { BenchResult } from './types';

// A project's run history of 10,000 runs (default options, as the CLI and the editor open it): open (read,
// check every line, recover, clean plan files) and list, beside the floor of reading the same file and
// JSON.parse-ing every line (the anchor). Goal: open + list < 100 ms.

const RUNS = 10_000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** What the journal writes for a build run and a plan run walked to Applied (begin, states, log batches). */
export function historyText(dir: string): string {
  const out: string[] = [];
  const t0 = Date.parse('2026-01-01T00:00:00.000Z');
  for (let i = 0; i < RUNS; i++) {
    const at = (k: number) => new Date(t0 + i * 60_000 + k * 1000).toISOString();
    const id = `${at(0)
      .replace(/[-:.TZ]/g, '')
      .slice(0, 14)}-${i.toString(16).padStart(8, '0')}`;
    const plan = i % 2 === 0;
    out.push(
      JSON.stringify({
        t: 'begin',
        run: {
          id,
          kind: plan ? 'plan' : 'build',
          project: 'bench',
          projectDir: dir,
          environment: `env-${i % 7}`,
          who: 'bench',
          startedAt: at(0),
          updatedAt: at(0),
          state: plan ? 'Draft' : 'Running',
          meta: { tool: 'terraform', dir: `${dir}/infra` },
          pid: 1,
          host: 'bench',
        },
      }),
    );
    out.push(JSON.stringify({ t: 'log', id, lines: [`step 1 of run ${i}`, `step 2 of run ${i}`] }));
    if (plan) {
      out.push(JSON.stringify({ t: 'state', id, state: 'Planning', at: at(1) }));
      out.push(
        JSON.stringify({
          t: 'state',
          id,
          state: 'Planned',
          at: at(2),
          meta: { planHash: 'a'.repeat(64), summary: { add: 1, change: 0, destroy: 0 } },
        }),
      );
      out.push(JSON.stringify({ t: 'state', id, state: 'Approved', at: at(3) }));
      out.push(JSON.stringify({ t: 'state', id, state: 'Applying', at: at(4) }));
      out.push(JSON.stringify({ t: 'state', id, state: 'Applied', at: at(5) }));
    } else {
      out.push(JSON.stringify({ t: 'state', id, state: 'Succeeded', at: at(1) }));
    }
  }
  return out.join('\n') + '\n';
}

export async function run(): Promise<BenchResult[]> {
  const dir = fs.mkdtempSync(path.join(process.env.HELIX_TEST_TMP ?? os.tmpdir(), 'bench-history-'));
  try {
    fs.mkdirSync(path.join(dir, '.helix'));
    const text = historyText(dir);
    fs.writeFileSync(historyFile(dir), text);
    const mb = Buffer.byteLength(text) / 1048576;
    // Above 8 MiB the history compacts on open down to 1,000 finished runs: measure a full, uncompacted one.
    if (mb >= 8) throw new Error(`the bench history is ${mb.toFixed(1)} MB: it would be compacted on open`);
    const anchorTimes: number[] = [];
    const openTimes: number[] = [];
    const listTimes: number[] = [];
    const pageTimes: number[] = [];
    let items = 0;
    for (let i = 0; i < 7; i++) {
      let s = performance.now();
      for (const line of fs.readFileSync(historyFile(dir), 'utf8').split('\n')) if (line) JSON.parse(line);
      anchorTimes.push(performance.now() - s);

      s = performance.now();
      const h = new RunHistory();
      await h.openProject(dir);
      const opened = performance.now();
      const all = h.list();
      const done = performance.now();
      if (all.length !== RUNS) throw new Error(`listed ${all.length} runs, not ${RUNS}`);
      openTimes.push(done - s);
      listTimes.push(done - opened);
      // What the Deployments view builds on each refresh: one page and the count of older runs.
      const p0 = performance.now();
      const page = historyPage(() => h.list(), [{ name: 'bench', dir }], HISTORY_PAGE);
      pageTimes.push(performance.now() - p0);
      items = page.runs.length + (page.more ? 1 : 0);
      await h.close();
    }
    const anchor = { name: 'read + JSON.parse every line', value: median(anchorTimes), unit: 'ms' };
    return [
      {
        name: `run history: open + list, ${RUNS} runs`,
        value: median(openTimes),
        unit: 'ms',
        anchor,
        goal: '< 100 ms',
        note: `${mb.toFixed(1)} MB`,
      },
      { name: `run history: list() alone, ${RUNS} runs`, value: median(listTimes), unit: 'ms' },
      {
        name: `run history: Deployments view page, ${RUNS} runs`,
        value: median(pageTimes),
        unit: 'ms',
        note: `${items} tree items (a page + Show more)`,
      },
    ];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
