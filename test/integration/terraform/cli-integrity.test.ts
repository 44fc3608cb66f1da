import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { HeadlessDeployRunner } from '../../../src/core/engine/headless';
import { DeployError } from '../../../src/core/engine/errors';
import { Journal } from '../../../src/core/engine/journal';
import { LockManager } from '../../../src/core/engine/locks';
import { deployTargetFor } from '../../../src/core/engine/target';
import { readProject } from '../../../src/core/config/project';
import { TerraformProvider } from '../../../src/providers/terraform/terraform';
import { TF_ENV, terraformAvailable, workDir } from './harness';
import { recordedPush } from '../../support/pushed';

// A saved plan file is an approval that travels between CI jobs: it is applied only when the run history
// vouches for it (hash, age, project, environment, configuration). Real CLI process, real terraform.
const CLI = path.resolve(__dirname, '../../../src/cli/index.ts');
const EXAMPLE = path.resolve(__dirname, '../../../examples/local-demo');

function cli(args: string[], cwd: string, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['--require', require.resolve('tsx/cjs'), CLI, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...TF_ENV, ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const HELIX = '[project]\nname = "demo"\nqueries = "db/"\n\n[local.dev]\nport = 6969\nbuild_mode = "dev"\n';

/** A project whose terraform records the release and writes a marker file when applied. */
function project(name: string, release = '2', extraEnvs = ''): string {
  const dir = workDir(name);
  fs.writeFileSync(path.join(dir, 'helix.toml'), HELIX);
  writeDeploy(dir, release, extraEnvs);
  // ${image} is the image last pushed for the environment: one push of each is on record.
  recordedPush(dir, 'staging');
  recordedPush(dir, 'prod');
  fs.mkdirSync(path.join(dir, 'infra'));
  fs.writeFileSync(
    path.join(dir, 'infra', 'main.tf'),
    'variable "image" { type = string }\nvariable "release" { type = string }\n' +
      'resource "terraform_data" "app" {\n  input = { image = var.image, release = var.release }\n  provisioner "local-exec" {\n    command = "echo planned"\n  }\n}\n',
  );
  return dir;
}

function writeDeploy(dir: string, release: string, extraEnvs = ''): void {
  fs.writeFileSync(
    path.join(dir, 'helix.deploy.toml'),
    `[environments.staging]\ninstance = "dev"\nregistry = "ghcr.io/acme/helixdb"\nterraform = { dir = "infra", vars = { image = "\${image}", release = "${release}" } }\n${extraEnvs}`,
  );
}

function records(dir: string): Array<Record<string, any>> {
  const lines = fs
    .readFileSync(path.join(dir, '.helix', 'runs.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  const runs = new Map<string, Record<string, any>>();
  for (const l of lines) {
    if (l.t === 'begin' || l.t === 'snap') runs.set(l.run.id, { ...l.run, meta: { ...l.run.meta } });
    else if (l.t === 'state')
      Object.assign(runs.get(l.id)!, { state: l.state }, { meta: { ...runs.get(l.id)!.meta, ...l.meta } });
    else if (l.t === 'meta') runs.get(l.id)!.meta = { ...runs.get(l.id)!.meta, ...l.meta };
  }
  return [...runs.values()];
}

function stateResources(dir: string): unknown[] {
  const f = path.join(dir, 'infra', 'terraform.tfstate');
  return fs.existsSync(f) ? JSON.parse(fs.readFileSync(f, 'utf8')).resources : [];
}

/** A `helix-deploy` on PATH that only records its arguments: what a pasted hint would run. */
function pasteInShell(line: string, cwd: string): string[] {
  const bin = workDir('bin');
  const argsFile = path.join(bin, 'args.json');
  fs.writeFileSync(
    path.join(bin, 'helix-deploy'),
    `#!/usr/bin/env node\nrequire('fs').writeFileSync(${JSON.stringify(argsFile)}, JSON.stringify(process.argv.slice(2)));\n`,
    { mode: 0o755 },
  );
  const r = spawnSync('sh', ['-c', line], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
  });
  assert.equal(r.status, 0, `sh -c ${line}: ${r.stderr}`);
  return JSON.parse(fs.readFileSync(argsFile, 'utf8'));
}

describe('helix-deploy apply: saved plan integrity (real terraform, real process)', function () {
  this.timeout(180_000);
  before(terraformAvailable);

  it('a plan run ends Saved, not Cancelled; the apply references it, records the planned variables and deletes the .helix/ plan file', () => {
    const dir = project('saved');
    const p = cli(['plan', 'staging', '--quiet'], dir);
    assert.equal(p.code, 2, p.stderr);
    const planFile = path.join(dir, '.helix', 'staging.plan');
    assert.ok(fs.existsSync(planFile));
    const plan = records(dir).find((r) => r.kind === 'plan')!;
    assert.equal(plan.state, 'Saved');
    assert.equal(plan.meta.savedTo, planFile);
    const a = cli(['apply', 'staging', '--plan', planFile, '--quiet'], dir);
    assert.equal(a.code, 0, a.stderr);
    const apply = records(dir).find((r) => r.kind === 'apply')!;
    assert.equal(apply.state, 'Applied');
    assert.equal(apply.meta.planRun, plan.id);
    assert.deepEqual(apply.meta.deployed.vars, {
      image: `ghcr.io/acme/helixdb@sha256:${'ab'.repeat(32)}`,
      release: '2',
    });
    assert.deepEqual(apply.meta.image, plan.meta.image, 'the apply records the image its plan resolved');
    assert.deepEqual(apply.meta.deployed, plan.meta.planned);
    assert.ok(!fs.existsSync(planFile), 'the applied plan file under .helix/ holds secrets: deleted');
    // A file the user placed outside .helix/ is theirs: left alone.
    writeDeploy(dir, '3');
    const mine = path.join(dir, 'mine.plan');
    assert.equal(cli(['plan', 'staging', '--out', mine, '--quiet'], dir).code, 2);
    assert.equal(cli(['apply', 'staging', '--plan', mine, '--quiet'], dir).code, 0);
    assert.ok(fs.existsSync(mine));
  });

  it('a plan file whose config snapshot was edited inside the zip is refused: exit 1, nothing runs', () => {
    const dir = project('tampered');
    const planFile = path.join(dir, 't.plan');
    assert.equal(cli(['plan', 'staging', '--out', planFile, '--quiet'], dir).code, 2);
    const pwned = path.join(dir, 'pwned');
    // Rewrite the local-exec command of the configuration snapshot terraform keeps in the plan (a zip).
    const x = path.join(dir, 'x');
    fs.mkdirSync(x);
    assert.equal(spawnSync('unzip', ['-q', planFile, '-d', x]).status, 0, 'unzip is needed to edit the plan');
    const tf = spawnSync('grep', ['-rl', 'echo planned', x], { encoding: 'utf8' })
      .stdout.trim()
      .split('\n')
      .filter(Boolean);
    assert.ok(tf.length > 0, 'the plan holds the configuration snapshot');
    for (const f of tf) fs.writeFileSync(f, fs.readFileSync(f, 'utf8').replace('echo planned', `touch ${pwned}`));
    fs.rmSync(planFile);
    assert.equal(spawnSync('zip', ['-q', '-r', planFile, '.'], { cwd: x }).status, 0, 'zip is needed to edit the plan');
    const a = cli(['apply', 'staging', '--plan', planFile, '--quiet'], dir);
    assert.equal(a.code, 1, a.stdout + a.stderr);
    assert.match(
      a.stderr,
      /Refused: .*t\.plan is not the plan run .* saved there \(its sha256 differs.*Nothing was applied\. Plan again with: helix-deploy plan staging --out/,
    );
    assert.ok(!fs.existsSync(pwned), 'the injected command ran');
    assert.deepEqual(stateResources(dir), []);
    // Changed bytes, not a known plan file at all: refused too.
    fs.writeFileSync(path.join(dir, 'junk.plan'), 'PK\u0003\u0004junk');
    const j = cli(['apply', 'staging', '--plan', 'junk.plan', '--quiet'], dir);
    assert.equal(j.code, 1);
    assert.match(j.stderr, /no plan saved in this project's run history has the sha256/);
  });

  it('an expired plan is refused (HELIX_DEPLOY_PLAN_EXPIRY_MINUTES, from the recorded plan time) and its .helix/ file deleted', async () => {
    const dir = project('expired');
    assert.equal(cli(['plan', 'staging', '--quiet'], dir).code, 2);
    const planFile = path.join(dir, '.helix', 'staging.plan');
    await new Promise((r) => setTimeout(r, 1500));
    const a = cli(['apply', 'staging', '--plan', planFile, '--quiet'], dir, {
      HELIX_DEPLOY_PLAN_EXPIRY_MINUTES: '0.01',
    });
    assert.equal(a.code, 1, a.stderr);
    assert.match(
      a.stderr,
      /expired: plans must be applied within 0\.01 minutes.*Plan again with: helix-deploy plan staging/,
    );
    assert.deepEqual(stateResources(dir), []);
    assert.ok(!fs.existsSync(planFile));
    assert.ok(!records(dir).some((r) => r.kind === 'apply'), 'nothing recorded as run');
  });

  it('a clock a day ahead (or behind) at apply refuses the plan', async () => {
    const dir = project('clock');
    const journal = await Journal.open(path.join(dir, '.helix', 'runs.jsonl'));
    let offset = 0;
    const engine = new HeadlessDeployRunner({
      journal,
      locks: new LockManager(path.join(dir, '.helix', 'locks')),
      stateDir: path.join(dir, '.helix'),
      providers: { terraform: new TerraformProvider({ executable: () => 'terraform', env: TF_ENV }) },
      who: () => 'ci',
      now: () => Date.now() + offset,
    });
    try {
      const p = readProject(
        path.join(dir, 'helix.toml'),
        HELIX,
        fs.readFileSync(path.join(dir, 'helix.deploy.toml'), 'utf8'),
      )!;
      const target = deployTargetFor(p, 'staging');
      const snap = await (await engine.startPlan(target)).done;
      assert.equal(snap.run.state, 'Planned', snap.run.error);
      const file = path.join(dir, 'c.plan');
      await engine.handOff(snap.run.id, file);
      for (const [ms, re] of [
        [86_400_000, /expired/],
        [-86_400_000, /after this machine's clock/],
      ] as const) {
        offset = ms;
        await assert.rejects(
          engine.applySavedPlan(target, file),
          (e: unknown) => e instanceof DeployError && e.code === 'expired' && re.test(e.message),
        );
      }
      assert.deepEqual(stateResources(dir), []);
    } finally {
      await engine.dispose();
      await journal.close();
    }
  });

  it('a configuration changed since the plan is refused naming the change; the deployed record holds the planned variables', () => {
    const dir = project('changed', '2');
    assert.equal(cli(['plan', 'staging', '--quiet'], dir).code, 2);
    const planFile = path.join(dir, '.helix', 'staging.plan');
    writeDeploy(dir, '3');
    const a = cli(['apply', 'staging', '--plan', planFile, '--quiet'], dir);
    assert.equal(a.code, 1, a.stderr);
    assert.match(
      a.stderr,
      /configuration of environment staging changed since the plan .*variable release "2" -> "3"\. Nothing was applied\. Plan again with: helix-deploy plan staging/,
    );
    assert.deepEqual(stateResources(dir), []);
    assert.ok(!records(dir).some((r) => r.state === 'Applied'));
    writeDeploy(dir, '2');
    assert.equal(cli(['apply', 'staging', '--plan', planFile, '--quiet'], dir).code, 0);
    const applied = records(dir).filter((r) => r.state === 'Applied');
    assert.equal(applied.length, 1);
    assert.equal(applied[0]!.meta.deployed.vars.release, '2');
  });

  it('a plan of environment A is refused for environment B, with the command that applies it to A', () => {
    const dir = project(
      'wrong-env',
      '2',
      '\n[environments.prod]\ninstance = "dev"\nregistry = "ghcr.io/acme/helixdb"\nterraform = { dir = "infra", vars = { image = "${image}", release = "2" } }\n',
    );
    assert.equal(cli(['plan', 'staging', '--out', 'a.plan', '--quiet'], dir).code, 2);
    const b = cli(['apply', 'prod', '--plan', 'a.plan', '--quiet'], dir);
    assert.equal(b.code, 1, b.stderr);
    assert.match(
      b.stderr,
      /a\.plan is a plan of environment staging \(run .*\), not prod\. Nothing was applied\. Apply it to staging with: helix-deploy apply staging --plan a\.plan/,
    );
    assert.deepEqual(stateResources(dir), []);
    // The same project (name, environment, configuration) in another folder: not its plan either.
    const other = project('wrong-project');
    const c = cli(['apply', 'staging', '--plan', path.join(dir, 'a.plan'), '--quiet'], other);
    assert.equal(c.code, 1, c.stderr);
    assert.match(c.stderr, /no plan saved in this project's run history has the sha256/);
    assert.deepEqual(stateResources(other), []);
  });

  it('environment names that escape .helix/ or hold shell code are refused by plan, apply and validate; nothing written or run', () => {
    const names = ['../../x', 'a/b', '$(touch pwned)'];
    const dir = project(
      'names',
      '2',
      names
        .map(
          (n) =>
            `\n[environments.${JSON.stringify(n)}]\ninstance = "dev"\nterraform = { dir = "infra", vars = { image = "\${image}", release = "2" } }\n`,
        )
        .join(''),
    );
    const before = fs.readdirSync(path.dirname(dir)).sort();
    for (const n of names) {
      const p = cli(['plan', n, '--quiet'], dir);
      assert.equal(p.code, 2, p.stderr);
      assert.match(p.stderr, /environment name ".*" must contain only ASCII letters, digits, '-', or '_'/);
      const a = cli(['apply', n, '--plan', 'x.plan', '--quiet'], dir);
      assert.equal(a.code, 2, a.stderr);
      assert.match(a.stderr, /environment name/);
    }
    const v = cli(['validate', path.join(dir, 'helix.deploy.toml')], dir);
    assert.equal(v.code, 1);
    assert.equal((v.stdout.match(/environment-name|environment name/g) ?? []).length >= 3, true, v.stdout);
    assert.deepEqual(fs.readdirSync(path.dirname(dir)).sort(), before, 'nothing written beside the project');
    assert.ok(!fs.existsSync(path.join(dir, 'pwned')));
    assert.ok(!fs.existsSync(path.join(dir, '.helix', 'a')));
    assert.deepEqual(
      fs.existsSync(path.join(dir, '.helix'))
        ? fs.readdirSync(path.join(dir, '.helix')).filter((f) => f.endsWith('.plan'))
        : [],
      [],
    );
  });

  it('the printed "Apply it with" and re-plan hints are shell-quoted: pasted into sh -c they run nothing else', () => {
    const dir = project('paste');
    const out = `out/$(touch pwned); x'y.plan`;
    const p = cli(['plan', 'staging', '--out', out, '--quiet'], dir);
    assert.equal(p.code, 2, p.stderr);
    const dest = path.join(dir, out);
    assert.ok(fs.existsSync(dest));
    const hint = /Apply it with: (.*)$/m.exec(p.stderr)![1]!;
    assert.deepEqual(pasteInShell(hint, dir), ['apply', 'staging', '--plan', dest]);
    fs.appendFileSync(dest, 'x'); // refused: the re-plan hint names the same hostile path
    const a = cli(['apply', 'staging', '--plan', out, '--quiet'], dir);
    assert.equal(a.code, 1);
    const replan = /Plan again with: (.*)$/m.exec(a.stderr)![1]!;
    assert.deepEqual(pasteInShell(replan, dir), ['plan', 'staging', '--out', out]);
    assert.ok(
      !fs.existsSync(path.join(dir, 'pwned')) && !fs.existsSync(path.join(dir, 'out', 'pwned')),
      'pasted hint ran $(...)',
    );
  });

  it('a terraform dir outside the project is planned with a notice, and validate warns naming it', () => {
    const dir = project('outside');
    const outside = `${dir}-infra`;
    fs.cpSync(path.join(dir, 'infra'), outside, { recursive: true });
    fs.writeFileSync(
      path.join(dir, 'helix.deploy.toml'),
      `[environments.staging]\ninstance = "dev"\nregistry = "ghcr.io/acme/helixdb"\nterraform = { dir = "../${path.basename(outside)}", vars = { image = "\${image}", release = "2" } }\n`,
    );
    const p = cli(['plan', 'staging'], dir);
    assert.equal(p.code, 2, p.stderr);
    assert.ok(p.stderr.includes(`outside the project folder ${dir}: ${outside}`), p.stderr);
    const v = cli(['validate', path.join(dir, 'helix.deploy.toml')], dir);
    assert.ok(v.stdout.includes(`outside the project folder (${outside})`), v.stdout);
  });

  it('errors carry context: a folder where a file is expected is named; a kubeconfig problem names no terraform variable', () => {
    const dir = project(
      'context',
      '2',
      '\n[environments.k8s]\nkubernetes = { context = "nope", namespace = "helix", manifests = "k8s", kubeconfig = "missing.yaml" }\n',
    );
    fs.mkdirSync(path.join(dir, 'k8s'));
    const k = cli(['plan', 'k8s', '--quiet'], dir);
    assert.equal(k.code, 1, k.stderr);
    assert.match(k.stderr, /kubeconfig/);
    assert.doesNotMatch(k.stderr, /HELIX_DEPLOY_TERRAFORM_PATH|PULUMI/);
    const folder = path.join(dir, 'folder.plan');
    fs.mkdirSync(folder);
    const a = cli(['apply', 'staging', '--plan', folder, '--quiet'], dir);
    assert.equal(a.code, 1);
    assert.ok(a.stderr.includes(`${folder} is not a plan file (it is a folder)`), a.stderr);
    const o = cli(['plan', 'staging', '--out', folder, '--quiet'], dir);
    assert.equal(o.code, 2);
    assert.ok(o.stderr.includes(`--out ${folder} is a folder`), o.stderr);
    const s = cli(['show-plan', folder], dir);
    assert.equal(s.code, 2);
    assert.ok(s.stderr.includes(`${folder} is a folder, not a plan file`), s.stderr);
    fs.rmSync(path.join(dir, 'helix.deploy.toml'));
    fs.mkdirSync(path.join(dir, 'helix.deploy.toml'));
    const e = cli(['plan', 'staging', '--quiet'], dir);
    assert.equal(e.code, 2);
    assert.ok(e.stderr.includes(`cannot read ${path.join(dir, 'helix.deploy.toml')}: it is a folder`), e.stderr);
  });

  it('the shipped example passes the image to local-exec as data; validate refuses an image that is not an OCI reference', () => {
    const infra = workDir('example');
    fs.cpSync(path.join(EXAMPLE, 'infra'), infra, { recursive: true, filter: (f) => !/\.terraform|tfstate/.test(f) });
    const hostile = `x$(touch ${infra}/pwned);touch ${infra}/pwned2`;
    const tf = (args: string[]) =>
      spawnSync('terraform', args, { cwd: infra, encoding: 'utf8', env: { ...process.env, ...TF_ENV } });
    assert.equal(tf(['init', '-input=false']).status, 0);
    const r = tf(['apply', '-auto-approve', '-input=false', `-var=image=${hostile}`]);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(r.stdout.includes(`rolling out ${hostile} release 1`), r.stdout);
    assert.ok(
      !fs.existsSync(path.join(infra, 'pwned')) && !fs.existsSync(path.join(infra, 'pwned2')),
      'the image name ran as shell code',
    );
    // The example's own files validate clean; with a hostile image they do not.
    const proj = workDir('example-proj');
    fs.cpSync(EXAMPLE, proj, { recursive: true, filter: (f) => !/\.terraform|tfstate/.test(f) });
    assert.equal(cli(['validate', proj], proj).code, 0);
    const toml = path.join(proj, 'helix.toml');
    fs.writeFileSync(
      toml,
      fs.readFileSync(toml, 'utf8').replace('image = "local-demo"', 'image = "local-demo$(touch pwned)"'),
    );
    const v = cli(['validate', proj], proj);
    assert.equal(v.code, 1, v.stdout);
    assert.match(v.stdout, /is not an image reference/);
    const p = cli(['plan', 'staging', '--quiet'], proj);
    assert.equal(p.code, 1, p.stderr);
    assert.match(p.stderr, /is not an image reference/);
    assert.ok(!fs.existsSync(path.join(proj, 'pwned')));
  });
});
