import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DeployRunner } from '../../src/core/engine/engine';
import { Journal } from '../../src/core/engine/journal';
import { LockManager } from '../../src/core/engine/locks';
import type { DeployProvider } from '../../src/core/engine/provider';
import type { DeployTarget } from '../../src/core/engine/target';
import type { Project } from '../../src/core/model/types';
import { Redactor } from '../../src/core/process/redact';
import { DeployPanelBackend } from '../../src/webview/host/engineBackend';
import { envKey } from '../../src/core/model/environment-ref';
import { PanelSession } from '../../src/webview/host/session';
import type { HostMessage } from '../../src/webview/protocol';
import type { BenchResult } from './types';

// One run's log of 1,000,000 lines, followed live the whole way the extension host carries it: the tool's
// lines -> engine (redact) -> journal (ring in memory, on disk) -> panel backend -> panel session -> the
// messages posted to the webview. Lines/s from the first line to the last one posted (goal >= 100,000/s),
// beside the tool producing the same lines with nothing consuming them (the anchor), and the heap kept
// after the run (bounded: a ring, not the million lines).

const LINES = Number(process.env.HELIX_BENCH_LOG_LINES ?? 1_000_000);
const CHUNK = 5_000; // lines per read of the tool's output, as a pipe delivers them

function line(i: number): string {
  return `\u001b[32mterraform_data.r[${i}]: Creating...\u001b[0m elapsed ${i % 60}s`;
}

async function produce(log: (l: string) => void): Promise<void> {
  for (let i = 0; i < LINES;) {
    const end = Math.min(LINES, i + CHUNK);
    for (; i < end; i++) log(line(i));
    await new Promise((r) => setImmediate(r));
  }
}

const heapMB = () => {
  (global as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed / 1048576;
};

export async function run(): Promise<BenchResult[]> {
  const dir = fs.mkdtempSync(path.join(process.env.HELIX_TEST_TMP ?? os.tmpdir(), 'bench-logs-'));
  try {
    let s = performance.now();
    let sink = 0;
    await produce((l) => (sink += l.length));
    const anchorMs = performance.now() - s;

    const heap0 = heapMB();
    const redactor = new Redactor().add('bench-secret-value');
    const journal = await Journal.open(path.join(dir, '.helix', 'runs.jsonl'), { redact: (t) => redactor.redact(t) });
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    const provider: DeployProvider = {
      tool: 'terraform',
      status: async () => ({ state: 'ok', tool: 'terraform', path: 'terraform', version: '1.11.4' }),
      plan: async (req) => {
        await produce((l) => req.log(l));
        return { outcome: 'errored', error: 'bench: the log is what is measured', binding: true };
      },
      apply: async () => ({ outcome: 'failed' }),
      show: async () => {
        throw new Error('unused');
      },
    };
    const engine = new DeployRunner({
      journal,
      redactor,
      locks: new LockManager(path.join(dir, '.helix', 'locks')),
      stateDir: path.join(dir, '.helix'),
      providers: { terraform: provider },
      who: () => 'bench',
    });
    const env = {
      name: 'e',
      kind: 'terraform',
      source: 'helix.deploy.toml',
      settings: { terraform: { dir: '.' } },
    } as DeployTarget['environment'];
    const target: DeployTarget = { project: { name: 'bench', dir }, environment: env };
    const project = {
      name: 'bench',
      dir,
      configFile: path.join(dir, 'helix.toml'),
      generation: 'v3.4',
      containerRuntime: 'docker',
      environments: [env],
      errorCount: 0,
    } as unknown as Project;
    const backend = new DeployPanelBackend({ engine, projects: () => [project], redact: (t) => redactor.redact(t) });
    let posted = 0;
    let firstAt = 0;
    let lastAt = 0;
    let midHeap = 0;
    const session = new PanelSession(envKey(project.dir, env.name), backend, {
      post: (m: HostMessage) => {
        if (m.type !== 'log') return;
        posted += m.lines.length;
        if (!firstAt) firstAt = performance.now();
        if (posted >= LINES) {
          lastAt = performance.now();
          done();
        }
        // Live memory halfway (after a collection, as what is kept at the end): a ring does not grow with the log.
        if (!midHeap && posted >= LINES / 2) midHeap = heapMB() - heap0;
      },
      openDiff() {},
      copy: async () => {},
      save: async () => {},
      log() {},
    });
    await session.handle({ type: 'ready', version: 1 });
    s = performance.now();
    const handle = await engine.startPlan(target);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([finished, new Promise((r) => (timer = setTimeout(r, 120_000)))]);
    clearTimeout(timer);
    await handle.done;
    const total = (lastAt || performance.now()) - s;
    const kept = heapMB() - heap0;
    const onDisk = fs.readdirSync(path.join(dir, '.helix'), { recursive: true }).reduce((n, f) => {
      const st = fs.statSync(path.join(dir, '.helix', String(f)));
      return st.isFile() ? n + st.size : n;
    }, 0);
    session.dispose();
    backend.dispose();
    await engine.dispose();
    await journal.close();
    if (posted < LINES) throw new Error(`only ${posted} of ${LINES} lines reached the panel in 120 s`);
    const rate = LINES / (total / 1000);
    return [
      {
        name: 'run log: follow 1,000,000 lines, tool -> panel messages',
        value: rate,
        unit: 'lines/s',
        anchor: { name: 'tool producing them alone', value: LINES / (anchorMs / 1000), unit: 'lines/s' },
        goal: '>= 100000 lines/s',
        note: `${(total / 1000).toFixed(1)} s, first post after ${(firstAt - s).toFixed(0)} ms`,
      },
      {
        name: 'run log: heap kept after the run (1,000,000 lines)',
        value: kept,
        unit: 'MB',
        goal: 'bounded (ring)',
        note: `${midHeap.toFixed(1)} MB live halfway through the run`,
      },
      { name: 'run log: on disk under .helix/', value: onDisk / 1048576, unit: 'MB', note: 'the whole log' },
    ];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
