import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { Journal, type RunRecord } from '../../../src/core/engine/journal';
import { recoverOrphanedRun } from '../../../src/core/engine/orphans';
import { pidAlive } from '../../../src/core/engine/locks';
import { TF_ENV, terraformAvailable, workDir } from './harness';
import { poll } from '../../support/poll';

// The CLI killed (SIGKILL, SIGTERM) or interrupted at any point of an apply, with the real terraform: the
// tool is never killed by our death, and after a fresh journal open the recorded outcome is what
// terraform's state shows. The built CLI (dist/cli.js, made by the test runner) keeps the trials fast.
const CLI = path.resolve(__dirname, '../../../dist/cli.js');

const TF = `variable "release" { type = string }
resource "terraform_data" "app" {
  triggers_replace = var.release
  provisioner "local-exec" { command = "sleep 0.4" }
}
resource "terraform_data" "after" {
  depends_on       = [terraform_data.app]
  triggers_replace = var.release
}
`;

function project(name: string, tf = TF): string {
  const dir = workDir(name);
  fs.writeFileSync(
    path.join(dir, 'helix.toml'),
    '[project]\nname = "demo"\nqueries = "db/"\n\n[local.dev]\nport = 6969\nbuild_mode = "dev"\n',
  );
  fs.writeFileSync(
    path.join(dir, 'helix.deploy.toml'),
    '[environments.staging]\ninstance = "dev"\nterraform = { dir = "infra", vars = { release = "${env:HELIX_TEST_RELEASE}" } }\n',
  );
  fs.mkdirSync(path.join(dir, 'infra'));
  fs.writeFileSync(path.join(dir, 'infra', 'main.tf'), tf);
  return dir;
}

function env(release: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, ...TF_ENV, HELIX_TEST_RELEASE: release, ...extra };
}

function cli(args: string[], cwd: string, e: NodeJS.ProcessEnv) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: e });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Release each resource of the state holds (undefined: absent), and whether any is tainted. */
function tfState(dir: string): { serial: number; app?: string; after?: string; tainted: boolean } {
  const file = path.join(dir, 'infra', 'terraform.tfstate');
  if (!fs.existsSync(file)) return { serial: 0, tainted: false };
  const text = fs.readFileSync(file, 'utf8');
  let s;
  try {
    s = JSON.parse(text);
  } catch {
    throw new Error(
      `${file} is torn (${text.length} bytes): terraform was killed while writing it, or still writes it although the run is recorded as over`,
    );
  }
  const out: { serial: number; app?: string; after?: string; tainted: boolean } = { serial: s.serial, tainted: false };
  for (const r of s.resources ?? []) {
    for (const i of r.instances ?? []) {
      if (i.status === 'tainted') out.tainted = true;
      if (r.name === 'app' || r.name === 'after')
        out[r.name as 'app' | 'after'] = i.attributes?.triggers_replace?.value;
    }
  }
  return out;
}

/** What a fresh CLI or editor sees: the journal opened again, orphans recovered. */
async function reopen(dir: string): Promise<RunRecord[]> {
  const j = await Journal.open(path.join(dir, '.helix', 'runs.jsonl'), { recoverRun: recoverOrphanedRun });
  try {
    return j.list({ kind: 'apply' });
  } finally {
    await j.close();
  }
}

/** Opens the journal until the newest apply run is over (an orphaned terraform may still be running). */
async function settledApply(dir: string, startedAfter: string): Promise<RunRecord | undefined> {
  const settled = await poll(
    async () => {
      const run = (await reopen(dir)).find((r) => r.startedAt >= startedAfter);
      if (!run || ['Applied', 'ApplyFailed', 'Cancelled', 'Expired', 'Interrupted'].includes(run.state)) return { run };
      throw new Error(`run ${run.id} still ${run.state}`);
    },
    { what: 'the apply run to end', timeoutMs: 60_000, intervalMs: 100 },
  );
  return settled.run;
}

/** A terraform that, after an apply, takes a moment to exit (as it does writing state and outputs). */
function slowTerraform(dir: string): string {
  const shim = path.join(dir, 'terraform-shim.js');
  fs.writeFileSync(
    shim,
    `#!${process.execPath}
const { spawn } = require('node:child_process');
const fs = require('node:fs');
let done = false;
const child = spawn('terraform', process.argv.slice(2), { stdio: 'inherit' });
process.on('SIGINT', () => { if (!done) child.kill('SIGINT'); });
child.on('exit', (code) => {
  done = true;
  if (process.argv[2] !== 'apply') process.exit(code ?? 1);
  if (process.env.SHIM_MARKER) fs.writeFileSync(process.env.SHIM_MARKER, String(code));
  setTimeout(() => process.exit(code ?? 1), 2000);
});
`,
    { mode: 0o755 },
  );
  return shim;
}

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('the CLI killed or interrupted during apply (real terraform, real processes)', function () {
  this.timeout(170_000);
  before(() => {
    terraformAvailable();
    if (!fs.existsSync(CLI))
      throw new Error(`${CLI} is missing: build it first (node scripts/build.mjs; the test runner does)`);
  });

  it('kill -9 and SIGTERM at random points: terraform is never killed by our death, and the history matches its state', async () => {
    const dir = project('kills');
    const random = mulberry32(0x5eed11);
    const planFile = path.join(dir, 'out.plan');
    const seen = new Set<string>();
    for (let i = 1; i <= 20; i++) {
      const release = `r${i}`;
      const sig: NodeJS.Signals = i % 2 ? 'SIGKILL' : 'SIGTERM';
      const p = cli(['plan', 'staging', '--out', planFile, '--quiet'], dir, env(release));
      assert.equal(p.code, 2, `trial ${i}: plan: ${p.stderr}`);
      const before = tfState(dir);
      const startedAfter = new Date().toISOString();
      // Points from CLI start-up through the apply's end (it takes about 1-2 s here).
      const delay = Math.floor(random() * 2000);
      const child = spawn(process.execPath, [CLI, 'apply', 'staging', '--plan', planFile], {
        cwd: dir,
        env: env(release),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (d) => (output += d));
      child.stderr.on('data', (d) => (output += d));
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        child.on('exit', (code, signal) => resolve({ code, signal })),
      );
      // Every fourth trial counts from terraform's apply start instead: interrupts mid-apply for sure.
      const fromApply = i % 4 === 0;
      if (fromApply)
        await poll(() => /\$ terraform apply|helix-deploy apply:/.test(output), {
          what: 'terraform apply to start',
          timeoutMs: 60_000,
        });
      await new Promise((r) => setTimeout(r, fromApply ? delay / 2 : delay));
      child.kill(sig);
      const exit = await exited;
      const run = await settledApply(dir, startedAfter);
      const after = tfState(dir);
      const what = `trial ${i} (${sig} after ${fromApply ? `apply start + ${delay / 2}` : delay} ms): run ${run?.state ?? 'none'} ${run?.error ?? ''} exit ${JSON.stringify(run?.meta?.toolExit)} state ${JSON.stringify(after)}\n${output.slice(-1500)}`;
      seen.add(
        `${sig}:${run?.state ?? 'none'}${run?.meta?.recovered ? ':orphan' : ''}${after.serial !== before.serial ? ':changed' : ''}`,
      );
      const complete = after.app === release && after.after === release && !after.tainted;
      const toolExit = run?.meta?.toolExit as
        { code: number | null; signal: string | null; interrupt: string | null } | undefined;
      // Terraform's own exit: 0, or what our interrupt made it do; never a signal (SIGPIPE, rc 141).
      if (toolExit) {
        assert.ok(toolExit.signal === null || toolExit.signal === toolExit.interrupt, what);
        assert.notEqual(toolExit.code, 141, what);
        assert.ok(toolExit.code === 0 || toolExit.interrupt === 'SIGINT', what);
        if (sig === 'SIGKILL') assert.equal(toolExit.interrupt, null, what);
      }
      // The recorded outcome is the state's: Applied exactly when the whole plan is in the state.
      assert.equal(run?.state === 'Applied', complete, what);
      if (run?.state === 'Applied') assert.ok(run.meta?.deployed, what);
      // Terraform changed something: the record says what it did, never a blind "Interrupted".
      if (after.serial !== before.serial) assert.ok(run && run.state !== 'Interrupted' && toolExit, what);
      if (!run || run.state === 'Interrupted') assert.deepEqual(after, before, what);
      if (run?.state === 'Cancelled' && after.serial !== before.serial)
        assert.match(run.error ?? '', /already applied|Interrupted while changing/, what);
      if (sig === 'SIGTERM' && exit.signal === null) {
        // SIGTERM is handled like Ctrl-C: the CLI waits for terraform and exits with the run's outcome
        // (143 only when no run had begun yet), and releases the environment.
        if (exit.code === 143) assert.ok(!run || run.state === 'Interrupted', what);
        else assert.equal(exit.code, run?.state === 'Applied' ? 0 : 1, what);
        if (exit.code !== 143) assert.deepEqual(fs.readdirSync(path.join(dir, '.helix', 'locks')), [], what);
      }
      // The tool's files (unredacted output) are gone once the outcome is recorded.
      assert.deepEqual(
        fs.existsSync(path.join(dir, '.helix', 'tool-output'))
          ? fs.readdirSync(path.join(dir, '.helix', 'tool-output'))
          : [],
        [],
        what,
      );
    }
    if (process.env.HELIX_TEST_VERBOSE) console.log([...seen].join(' '));
    // The seed spreads the kills over the apply: some before terraform, some during, some after.
    // (an apply finished by a terraform that outlived the killed CLI, recorded by the next process).
    assert.ok(seen.has('SIGKILL:Applied:orphan:changed'), [...seen].join(' '));
    assert.ok(
      [...seen].some((s) => /^SIGTERM:Cancelled.*:changed/.test(s)),
      [...seen].join(' '),
    );
  });

  it('Ctrl-C after terraform finished the apply: Applied, exit 0, deployed record present', async () => {
    const dir = project('late-sigint');
    const shim = slowTerraform(dir);
    const marker = path.join(dir, 'applied');
    const e = env('r1', { HELIX_DEPLOY_TERRAFORM_PATH: shim, SHIM_MARKER: marker });
    const planFile = path.join(dir, 'out.plan');
    assert.equal(cli(['plan', 'staging', '--out', planFile, '--quiet'], dir, e).code, 2);
    const child = spawn(process.execPath, [CLI, 'apply', 'staging', '--plan', planFile], {
      cwd: dir,
      env: e,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await poll(() => fs.existsSync(marker), { what: 'terraform to finish the apply', timeoutMs: 60_000 });
    assert.equal(fs.readFileSync(marker, 'utf8'), '0');
    child.kill('SIGINT');
    assert.equal(await exited, 0, stderr.slice(-2000));
    assert.match(stdout, /Applied \(run /);
    const run = (await reopen(dir))[0];
    assert.equal(run.state, 'Applied', run.error);
    assert.ok(run.meta?.deployed, 'deployed record');
    assert.deepEqual(tfState(dir), { serial: tfState(dir).serial, app: 'r1', after: 'r1', tainted: false });
  });

  it('SIGHUP interrupts like Ctrl-C; a second signal says it is still waiting, a third stops waiting; the outcome is still recorded', async () => {
    // Terraform stops at once on the interrupt; the wrapper around it takes 2 s more to exit.
    const dir = project('hup', TF.replace('command = "sleep 0.4"', 'command = "sleep 3"'));
    const e = env('r1', { HELIX_DEPLOY_TERRAFORM_PATH: slowTerraform(dir) });
    const planFile = path.join(dir, 'out.plan');
    assert.equal(cli(['plan', 'staging', '--out', planFile, '--quiet'], dir, e).code, 2);
    const child = spawn(process.execPath, [CLI, 'apply', 'staging', '--plan', planFile], {
      cwd: dir,
      env: e,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.resume();
    const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    await poll(() => /terraform_data\.app: Provisioning with 'local-exec'/.test(stderr), {
      what: 'terraform to be mid-apply',
      timeoutMs: 60_000,
    });
    child.kill('SIGHUP');
    await poll(() => /SIGHUP: interrupting terraform and waiting/.test(stderr), {
      what: 'the first signal to be handled',
      timeoutMs: 10_000,
    });
    child.kill('SIGTERM');
    await poll(() => /SIGTERM: still waiting/.test(stderr), {
      what: 'the second signal to be handled',
      timeoutMs: 10_000,
    });
    assert.match(
      stderr,
      /SIGTERM: still waiting for terraform to stop\. Interrupt once more to stop waiting: terraform then keeps running on its own/,
      stderr,
    );
    // The third stops waiting: exit 130 at once; the tool ends on its own and the next open records it.
    child.kill('SIGINT');
    assert.equal(await exited, 130, stderr);
    assert.match(stderr, /SIGINT: no longer waiting; terraform keeps running on its own/);
    const run = (await settledApply(dir, '0'))!;
    assert.ok(run.meta?.recovered, 'recorded by the next process');
    assert.equal((run.meta?.toolExit as { interrupt: string }).interrupt, 'SIGINT');
    const s = tfState(dir);
    assert.equal(
      run.state === 'Applied',
      s.app === 'r1' && s.after === 'r1' && !s.tainted,
      `${run.state} ${JSON.stringify(s)}`,
    );
  });

  it('an orphaned terraform keeps the environment locked with a message, then is recorded with its real outcome', async () => {
    const dir = project('orphan', TF.replace('sleep 0.4', 'sleep 4'));
    const planFile = path.join(dir, 'out.plan');
    assert.equal(cli(['plan', 'staging', '--out', planFile, '--quiet'], dir, env('r1')).code, 2);
    const child = spawn(process.execPath, [CLI, 'apply', 'staging', '--plan', planFile], {
      cwd: dir,
      env: env('r1'),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    await poll(() => /terraform_data\.app: Provisioning with 'local-exec'/.test(stderr), {
      what: 'terraform to be mid-apply',
      timeoutMs: 60_000,
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    const runId = (await reopen(dir))[0].id;

    const busy = cli(['plan', 'staging', '--quiet'], dir, env('r1'));
    assert.equal(busy.code, 1, busy.stderr);
    const m = new RegExp(`terraform \\(pid (\\d+)\\) from run ${runId} is still running; wait for it`).exec(
      busy.stderr,
    );
    assert.ok(m, busy.stderr);
    const pid = Number(m[1]);
    await poll(() => !pidAlive(pid), { what: 'the orphaned terraform to finish', timeoutMs: 60_000 });

    // The next run records what terraform did, then plans against it: nothing left to change.
    const next = cli(['plan', 'staging', '--quiet'], dir, env('r1'));
    assert.equal(next.code, 0, next.stderr);
    const run = (await reopen(dir)).find((r) => r.id === runId)!;
    assert.equal(run.state, 'Applied', run.error);
    assert.ok(run.meta?.deployed, 'deployed record');
    assert.deepEqual((run.meta?.toolExit as { code: number }).code, 0);
    const s = tfState(dir);
    assert.equal(s.app, 'r1');
    assert.equal(s.after, 'r1');
  });
});
