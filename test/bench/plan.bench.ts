import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DeployRunner } from '../../src/core/engine/engine';
import { Journal } from '../../src/core/engine/journal';
import { LockManager } from '../../src/core/engine/locks';
import type { DeployProvider } from '../../src/core/engine/provider';
import type { DeployTarget } from '../../src/core/engine/target';
import { attributesOf } from '../../src/core/plan/model';
import { parseTerraformShow } from '../../src/core/plan/terraform/show';
import { Redactor } from '../../src/core/process/redact';
import { run as spawnRun } from '../../src/core/process/spawn';
import { TerraformProvider } from '../../src/providers/terraform/terraform';
import type { BenchResult } from './types';

// (1) Parse + build the diff model of a 5,000-resource `terraform_data` plan, beside
// `terraform show` rendering the same plan as text (the anchor; goal < 300 ms and < 200 MB).
// (2) The engine's own overhead around a plan + apply, beside the same terraform commands run directly
// (goal: under 10% of terraform's time).

const ENV = { ...process.env, TF_CLI_CONFIG_FILE: '/dev/null', CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1' };

function tf(args: string[], cwd: string, maxBuffer = 512 * 1024 * 1024) {
  const r = spawnSync('terraform', args, { cwd, env: ENV, encoding: 'utf8', maxBuffer });
  if (r.status !== 0 && r.status !== 2) throw new Error(`terraform ${args.join(' ')} failed: ${r.stderr}`);
  return r;
}

function timed<T>(fn: () => T): [T, number] {
  const s = performance.now();
  const v = fn();
  return [v, performance.now() - s];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** CPU of this process and of its waited-for children (Linux /proc), in ms: load-independent figures. */
function cpu(): { self: number; children: number } {
  const u = process.cpuUsage();
  const stat = fs.readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 16 and 17 of stat (cutime, cstime) are at 13 and 14 after the command name; clock ticks of 10 ms.
  const children = (Number(fields[13]) + Number(fields[14])) * 10;
  return { self: (u.user + u.system) / 1000, children };
}

function config(n: number): string {
  return `resource "terraform_data" "r" {\n  count = ${n}\n  input = { name = "r-\${count.index}", size = count.index, tags = ["a", "b"] }\n}\n`;
}

function tmp(name: string): string {
  const base = process.env.HELIX_TEST_TMP ?? os.tmpdir();
  fs.mkdirSync(base, { recursive: true });
  return fs.mkdtempSync(path.join(base, `bench-${name}-`));
}

/** Child process: parse + model, report time and peak RSS above the baseline (memory budget figure). */
function measureInChild(jsonFile: string): { ms: number; mb: number } {
  const script = `
    const fs = require('node:fs');
    const { parseTerraformShow } = require(${JSON.stringify(path.resolve(__dirname, '../../src/core/plan/terraform/show.ts'))});
    const text = fs.readFileSync(${JSON.stringify(jsonFile)}, 'utf8');
    global.gc && global.gc();
    const base = process.memoryUsage().rss;
    const t = performance.now();
    const m = parseTerraformShow(JSON.parse(text));
    const ms = performance.now() - t;
    const peak = process.resourceUsage().maxRSS * 1024;
    process.stdout.write(JSON.stringify({ ms, mb: (Math.max(peak, process.memoryUsage().rss) - base) / 1048576, n: m.resources.length }));`;
  const r = spawnSync(process.execPath, ['--expose-gc', '--require', require.resolve('tsx/cjs'), '-e', script], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

async function parseBench(): Promise<BenchResult[]> {
  const dir = tmp('parse');
  fs.writeFileSync(path.join(dir, 'main.tf'), config(5000));
  tf(['init', '-input=false'], dir);
  tf(['plan', '-input=false', '-out=p.tfplan'], dir);
  const textTimes: number[] = [];
  const jsonTimes: number[] = [];
  let json = '';
  for (let i = 0; i < 3; i++) {
    textTimes.push(timed(() => tf(['show', '-no-color', 'p.tfplan'], dir))[1]);
    const [r, t] = timed(() => tf(['show', '-json', 'p.tfplan'], dir));
    jsonTimes.push(t);
    json = r.stdout;
  }
  fs.writeFileSync(path.join(dir, 'plan.json'), json);
  // In-process: warm up, then median of 7 runs of JSON.parse + model (attributes lazy, as the panel uses it).
  for (let i = 0; i < 2; i++) parseTerraformShow(JSON.parse(json), { redactor: new Redactor() });
  const runs: number[] = [];
  let resources = 0;
  for (let i = 0; i < 7; i++) {
    const [m, t] = timed(() => parseTerraformShow(JSON.parse(json), { redactor: new Redactor() }));
    runs.push(t);
    resources = m.resources.length;
  }
  const [, attrsMs] = timed(() => {
    const m = parseTerraformShow(JSON.parse(json), { redactor: new Redactor() });
    for (const r of m.resources) attributesOf(r);
  });
  const child = measureInChild(path.join(dir, 'plan.json'));
  const anchor = { name: 'terraform show (text)', value: median(textTimes), unit: 'ms' };
  return [
    {
      name: `plan model: parse + model, ${resources} resources`,
      value: median(runs),
      unit: 'ms',
      anchor,
      goal: '< 300 ms',
      note: `${(json.length / 1048576).toFixed(1)} MB of show -json`,
    },
    { name: 'plan model: same, cold (fresh process)', value: child.ms, unit: 'ms', anchor, goal: '< 300 ms' },
    {
      name: 'plan model: memory above baseline (fresh process)',
      value: child.mb,
      unit: 'MB',
      goal: '< 200 MB',
      ratio: child.mb / 200,
    },
    {
      name: 'plan model: + every attribute diff built',
      value: attrsMs,
      unit: 'ms',
      anchor,
      note: 'the panel builds them lazily',
    },
    { name: 'terraform show -json (what we parse)', value: median(jsonTimes), unit: 'ms', anchor },
  ];
}

async function rawCycle(dir: string): Promise<number> {
  // Same steps as the engine, through a bare spawn: plan (-json, streamed) + show -json + apply -json PLAN.
  const env = { TF_CLI_CONFIG_FILE: '/dev/null', CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1' };
  const go = async (args: string[], collect = false) => {
    const r = await spawnRun('terraform', args, {
      cwd: dir,
      env: { ...process.env, ...env },
      collect,
      onStdout: () => undefined,
    });
    if (r.code !== 0 && r.code !== 2) throw new Error(`terraform ${args[0]}: ${r.stderr}`);
    return r;
  };
  const s = performance.now();
  await go(['plan', '-input=false', '-json', '-detailed-exitcode', '-lock-timeout=0s', '-out=p.tfplan']);
  JSON.parse((await go(['show', '-json', 'p.tfplan'], true)).stdout);
  await go(['apply', '-input=false', '-json', '-lock-timeout=0s', 'p.tfplan']);
  return performance.now() - s;
}

/** Engine cycle; also returns the time spent inside the provider (terraform processes + their parsing). */
async function engineCycle(
  b: string,
  n: number,
): Promise<{ total: number; inTool: number; selfCpu: number; toolCpu: number }> {
  fs.mkdirSync(path.join(b, 'infra'));
  fs.writeFileSync(path.join(b, 'infra', 'main.tf'), config(n));
  tf(['init', '-input=false'], path.join(b, 'infra'));
  const redactor = new Redactor();
  const journal = await Journal.open(path.join(b, '.helix', 'runs.jsonl'), { redact: (s) => redactor.redact(s) });
  const inner = new TerraformProvider({
    executable: () => 'terraform',
    env: { TF_CLI_CONFIG_FILE: '/dev/null', CHECKPOINT_DISABLE: '1' },
  });
  await inner.status(); // the version probe is cached per window, as in the extension
  let inTool = 0;
  const time = async <T>(p: Promise<T>): Promise<T> => {
    const s = performance.now();
    try {
      return await p;
    } finally {
      inTool += performance.now() - s;
    }
  };
  const provider: DeployProvider = {
    tool: 'terraform',
    status: () => inner.status(),
    plan: (r) => time(inner.plan(r)),
    apply: (r) => time(inner.apply(r)),
    show: (r) => time(inner.show(r)),
  };
  const engine = new DeployRunner({
    journal,
    redactor,
    locks: new LockManager(path.join(b, '.helix', 'locks')),
    stateDir: path.join(b, '.helix'),
    providers: { terraform: provider },
    who: () => 'bench',
  });
  const target: DeployTarget = {
    project: { name: 'bench', dir: b },
    environment: {
      name: 'e',
      kind: 'terraform',
      source: 'helix.deploy.toml',
      settings: { terraform: { dir: 'infra' } },
    },
  };
  const c0 = cpu();
  const s = performance.now();
  const planned = await (await engine.startPlan(target)).done;
  await engine.approve(planned.run.id, planned.planHash!);
  const applied = await (await engine.startApply(planned.run.id)).done;
  const total = performance.now() - s;
  const c1 = cpu();
  if (applied.run.state !== 'Applied') throw new Error(`engine bench: ${applied.run.state} ${applied.run.error}`);
  await engine.dispose();
  await journal.close();
  return { total, inTool, selfCpu: c1.self - c0.self, toolCpu: c1.children - c0.children };
}

async function engineBench(): Promise<BenchResult[]> {
  const n = 500;
  const raw: number[] = [];
  const ours: number[] = [];
  const own: number[] = [];
  const tool: number[] = [];
  const selfCpu: number[] = [];
  const toolCpu: number[] = [];
  // Alternate the two so machine load drifts hit both alike; fresh state for each cycle.
  for (let round = 0; round < 3; round++) {
    const a = tmp('raw');
    fs.writeFileSync(path.join(a, 'main.tf'), config(n));
    tf(['init', '-input=false'], a);
    const cycle = async () => {
      const c = await engineCycle(tmp('engine'), n);
      ours.push(c.total);
      own.push(c.total - c.inTool);
      tool.push(c.inTool);
      selfCpu.push(c.selfCpu);
      toolCpu.push(c.toolCpu);
    };
    if (round % 2) await cycle();
    raw.push(await rawCycle(a));
    if (!(round % 2)) await cycle();
  }
  if (process.env.HELIX_BENCH_DEBUG) console.error(JSON.stringify({ raw, ours, own, tool, selfCpu, toolCpu }));
  const r = median(raw);
  const o = median(ours);
  const ownMs = median(own);
  const toolMs = median(tool);
  return [
    {
      // Measured inside one run (immune to load drift between runs): time outside the provider = journal
      // fsyncs, locks, plan hashing, expiry, events.
      name: `engine: own time around plan+apply, ${n} resources`,
      value: ownMs,
      unit: 'ms',
      anchor: { name: 'terraform (in the same run)', value: toolMs, unit: 'ms' },
      ratio: ownMs / toolMs,
      goal: 'ratio < 0.10',
    },
    {
      // CPU is not stretched by other load on the machine: everything our process did (engine, provider,
      // stream and show -json parsing, journal) against the CPU terraform used.
      name: `engine: CPU of our process per plan+apply, ${n} resources`,
      value: median(selfCpu),
      unit: 'ms',
      anchor: { name: 'terraform CPU (child processes)', value: median(toolCpu), unit: 'ms' },
      ratio: median(selfCpu) / median(toolCpu),
      goal: 'ratio < 0.10',
    },
    {
      name: `engine: plan+review+apply end to end, ${n} resources`,
      value: o,
      unit: 'ms',
      anchor: { name: 'terraform plan+show+apply, bare', value: r, unit: 'ms' },
      ratio: o / r,
      goal: 'ratio <= 1.10',
      note: 'median of 3, alternated; sensitive to machine load',
    },
  ];
}

export async function run(): Promise<BenchResult[]> {
  return [...(await parseBench()), ...(await engineBench())];
}
