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
// And a real one: terraform plans 50,000 `terraform_data` resources (about a minute), `terraform show -json`
// prints it (its time and size are the anchor), and our model is built from that output.

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

/** A real plan of 50,000 resources by terraform in `dir`; its `terraform show -json` output, timed. */
function realPlan(dir: string): { ms: number; mb: number; planMs: number; file: string } {
  const env = { ...process.env, TF_CLI_CONFIG_FILE: '/dev/null', CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1' };
  const tf = (args: string[]) => {
    const r = spawnSync('terraform', args, { cwd: dir, env, maxBuffer: 1024 * 1024 * 1024 });
    if (r.status !== 0) throw new Error(`terraform ${args[0]}: ${r.stderr}`);
    return r.stdout;
  };
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'main.tf'),
    `resource "terraform_data" "r" {\n  count = ${N}\n  input = { name = "r-\${count.index}", size = count.index % 7 }\n}\n`,
  );
  tf(['init', '-input=false']);
  let s = performance.now();
  tf(['plan', '-input=false', '-out=p.tfplan']);
  const planMs = performance.now() - s;
  s = performance.now();
  const json = tf(['show', '-json', 'p.tfplan']);
  const ms = performance.now() - s;
  const file = path.join(dir, 'show.json');
  fs.writeFileSync(file, json);
  return { ms, mb: json.length / 1048576, planMs, file };
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
    const real = realPlan(path.join(dir, 'tf'));
    const realModels = [0, 1, 2].map(() => child('model', real.file));
    const rm = (k: string) => median(realModels.map((x) => x[k]!));
    const show = { name: 'terraform show -json', value: real.ms, unit: 'ms' };
    out.push(
      {
        name: `plan 50k, real terraform: terraform show -json`,
        value: real.ms,
        unit: 'ms',
        note: `${real.mb.toFixed(0)} MB; terraform plan took ${(real.planMs / 1000).toFixed(0)} s before it`,
      },
      {
        name: `plan 50k, real terraform: parse + model, ${realModels[0]!.resources} resources`,
        value: rm('modelMs'),
        unit: 'ms',
        anchor: show,
        goal: '< 1500 ms',
        note: 'of that output, fresh process',
      },
      { name: 'plan 50k, real terraform: heap kept', value: rm('heapMB'), unit: 'MB', goal: '< 500 MB' },
    );
    return out;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
