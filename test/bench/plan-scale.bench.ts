import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bigTerraformPlanText } from '../support/bigPlan';
import type { BenchResult } from './types';

// A 50,000-resource plan (the shapes of the real plans in the shared data, see test/support/bigPlan.ts),
// measured in a fresh process each, as the extension host sees it:
//  - the model: JSON.parse + parseTerraformShow, beside JSON.parse alone (the anchor; goal < 1.5 s);
//  - memory: heap and RSS growth from before reading the text to the model plus what the panel host keeps
//    and serialises for the webview (the plan view and one snapshot message) - goal < 500 MB;
//  - filter and search of the panel's model code (indexPlan once, then flattenPlan per keystroke; < 100 ms).
// `terraform show -json` of a real 50,000-resource plan takes minutes of terraform plan first: its size and
// time are printed when HELIX_BENCH_TF50K names a folder holding such a plan (p.tfplan).

const N = 50_000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const CHILD = `
const fs = require('node:fs');
const { parseTerraformShow } = require(${JSON.stringify(path.resolve(__dirname, '../../src/core/plan/terraform/show.ts'))});
const { toPlanView } = require(${JSON.stringify(path.resolve(__dirname, '../../src/webview/host/session.ts'))});
const { indexPlan, flattenPlan } = require(${JSON.stringify(path.resolve(__dirname, '../../src/webview/model/planRows.ts'))});
const mode = process.argv[1];
const file = process.argv[2];
global.gc();
const heap0 = process.memoryUsage().heapUsed, rss0 = process.memoryUsage().rss;
const text = fs.readFileSync(file, 'utf8');
let t = performance.now();
const doc = JSON.parse(text);
const parseMs = performance.now() - t;
const out = { parseMs };
if (mode === 'model') {
  t = performance.now();
  const model = parseTerraformShow(doc);
  out.modelMs = performance.now() - t + parseMs;
  t = performance.now();
  const view = toPlanView(model);
  const msg = JSON.stringify({ type: 'snapshot', state: { plan: view } });
  out.viewMs = performance.now() - t;
  out.msgMB = msg.length / 1048576;
  out.resources = model.resources.length;
  global.gc();
  const m = process.memoryUsage();
  out.heapMB = (m.heapUsed - heap0) / 1048576;
  out.peakMB = (Math.max(process.resourceUsage().maxRSS * 1024, m.rss) - rss0) / 1048576;
  // The panel's filter: index once per plan, flatten per keystroke.
  t = performance.now();
  const index = indexPlan(view);
  out.indexMs = performance.now() - t;
  const ui = (search, actions = []) => ({ filter: { actions: new Set(actions), search, showAll: false }, collapsed: new Set(), expanded: new Set(), details: new Map() });
  flattenPlan(index, ui('')); // the first paint flattens once before any keystroke
  const times = [];
  let rows = 0;
  for (const q of ['', 'm_1', 'module.m_17.', 'aws_iam', 'zzz-no-match', 'test_instance', 'r_4999']) {
    const s = performance.now();
    rows = flattenPlan(index, ui(q)).length;
    times.push(performance.now() - s);
  }
  out.filterMs = times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
  out.filterMaxMs = times[times.length - 1];
  out.keep = [doc, model, view, msg].length;
}
process.stdout.write(JSON.stringify(out));`;

function child(mode: 'anchor' | 'model', file: string): Record<string, number> {
  const r = spawnSync(
    process.execPath,
    ['--expose-gc', '--max-old-space-size=4096', '--require', require.resolve('tsx/cjs'), '-e', CHILD, mode, file],
    { encoding: 'utf8', maxBuffer: 1 << 24 },
  );
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

function terraformShow(dir: string): { ms: number; mb: number } | undefined {
  if (!fs.existsSync(path.join(dir, 'p.tfplan'))) return undefined;
  const env = { ...process.env, TF_CLI_CONFIG_FILE: '/dev/null', CHECKPOINT_DISABLE: '1' };
  const s = performance.now();
  const r = spawnSync('terraform', ['show', '-json', 'p.tfplan'], { cwd: dir, env, maxBuffer: 1024 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`terraform show -json: ${r.stderr}`);
  return { ms: performance.now() - s, mb: r.stdout.length / 1048576 };
}

export async function run(): Promise<BenchResult[]> {
  const dir = fs.mkdtempSync(path.join(process.env.HELIX_TEST_TMP ?? os.tmpdir(), 'bench-plan50k-'));
  try {
    const file = path.join(dir, 'plan.json');
    const text = bigTerraformPlanText(N);
    fs.writeFileSync(file, text);
    const mb = Buffer.byteLength(text) / 1048576;
    const anchors: number[] = [];
    const models: Record<string, number>[] = [];
    for (let i = 0; i < 3; i++) {
      anchors.push(child('anchor', file).parseMs);
      models.push(child('model', file));
    }
    const m = (k: string) => median(models.map((x) => x[k]!));
    const anchor = { name: 'JSON.parse alone', value: median(anchors), unit: 'ms' };
    const out: BenchResult[] = [
      {
        name: `plan 50k: parse + model, ${models[0]!.resources} resources`,
        value: m('modelMs'),
        unit: 'ms',
        anchor,
        goal: '< 1500 ms',
        note: `${mb.toFixed(0)} MB of show -json, fresh process`,
      },
      {
        name: 'plan 50k: plan view + snapshot message for the panel',
        value: m('viewMs'),
        unit: 'ms',
        note: `${m('msgMB').toFixed(1)} MB message`,
      },
      {
        name: 'plan 50k: heap kept (text, document, model, view, message)',
        value: m('heapMB'),
        unit: 'MB',
        goal: '< 500 MB',
        ratio: m('heapMB') / 500,
      },
      { name: 'plan 50k: peak RSS growth', value: m('peakMB'), unit: 'MB', goal: '< 500 MB', ratio: m('peakMB') / 500 },
      { name: 'plan 50k: panel index (once per plan)', value: m('indexMs'), unit: 'ms' },
      {
        name: 'plan 50k: panel filter/search, median of 7 queries',
        value: m('filterMs'),
        unit: 'ms',
        goal: '< 100 ms',
        note: `slowest ${m('filterMaxMs').toFixed(0)} ms`,
      },
    ];
    const tfDir = process.env.HELIX_BENCH_TF50K;
    const tf = tfDir ? terraformShow(tfDir) : undefined;
    if (tf)
      out.push({
        name: 'plan 50k: terraform show -json (real terraform_data plan)',
        value: tf.ms,
        unit: 'ms',
        note: `${tf.mb.toFixed(0)} MB`,
      });
    return out;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
