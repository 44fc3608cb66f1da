import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import Docker from 'dockerode';
import { registryDigest, startRegistry, testDockerSocket, tmpRoot, type TestRegistry } from '../../support/registry';
import { TF_ENV, terraformAvailable } from '../terraform/harness';

// What you pushed is what deploys, as CI does it with the built CLI: build, push to a real registry, plan
// (shows the digest), deploy --yes (real terraform), and the state holds repo@sha256 equal to the registry's
// manifest digest; history --json lists it all. Also: no push -> refused with the push command; a protected
// environment is not applied without --confirm.
const CLI = path.resolve(__dirname, '../../../dist/cli.js');

function cli(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, ...TF_ENV } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function project(host: string): string {
  const dir = tmpRoot();
  fs.writeFileSync(
    path.join(dir, 'helix.toml'),
    '[project]\nname = "journey"\nqueries = "db/"\n\n[local.dev]\nport = 6969\nbuild_mode = "dev"\n',
  );
  const tf = (d: string) => `terraform = { dir = "${d}", vars = { image = "\${image}" } }`;
  fs.writeFileSync(
    path.join(dir, 'helix.deploy.toml'),
    `[environments.staging]\ninstance = "dev"\nregistry = "${host}/acme/helixdb"\n${tf('infra')}\n\n` +
      `[environments.prod]\ninstance = "dev"\nregistry = "${host}/acme/helixdb"\nprotected = true\n${tf('infra-prod')}\n\n` +
      '[instances.dev]\nbuild = "."\n',
  );
  // No image can be pulled here: scratch + a static busybox, and a unique file so every run is a new image.
  fs.copyFileSync('/bin/busybox', path.join(dir, 'busybox'));
  fs.writeFileSync(path.join(dir, 'id.txt'), `${dir} ${Date.now()}`);
  fs.writeFileSync(path.join(dir, 'Dockerfile'), 'FROM scratch\nCOPY busybox /bin/busybox\nCOPY id.txt /id.txt\n');
  for (const d of ['infra', 'infra-prod']) {
    fs.mkdirSync(path.join(dir, d));
    fs.writeFileSync(
      path.join(dir, d, 'main.tf'),
      'variable "image" { type = string }\nresource "terraform_data" "app" { input = var.image }\noutput "image" { value = var.image }\n',
    );
  }
  return dir;
}

describe('helix-deploy build, push, plan, deploy, history (built CLI, real engine, registry and terraform)', function () {
  this.timeout(300_000);
  let reg: TestRegistry;
  const docker = new Docker({ socketPath: testDockerSocket() });
  const images: string[] = [];

  before(async () => {
    terraformAvailable();
    if (!fs.existsSync(CLI))
      throw new Error(`${CLI} is missing: the test runner builds it (node scripts/test.mjs integration)`);
    await docker.ping();
    reg = await startRegistry();
  });
  after(async () => {
    for (const i of images)
      await docker
        .getImage(i)
        .remove({ force: true })
        .catch(() => undefined);
    await reg?.stop();
  });

  it('deploys exactly the pushed digest; a plan before any push is refused with the push command', async () => {
    const dir = project(reg.host);
    const refused = cli(['plan', 'staging', '--quiet'], dir);
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stderr, /no image was pushed for environment staging/);
    assert.ok(refused.stderr.includes('helix-deploy push staging'), refused.stderr);

    const built = cli(['build', 'staging', '--json', '--quiet'], dir);
    assert.equal(built.code, 0, built.stderr + built.stdout);
    const b = JSON.parse(built.stdout);
    images.push(b.image);

    const pushed = cli(['push', 'staging', '--json', '--quiet'], dir);
    assert.equal(pushed.code, 0, pushed.stderr + pushed.stdout);
    const p = JSON.parse(pushed.stdout);
    const repository = `${reg.host}/acme/helixdb`;
    assert.equal(p.repository, repository);
    assert.equal(
      await registryDigest(reg.host, 'acme/helixdb', p.tag),
      p.digest,
      'the recorded digest is the registry manifest digest',
    );
    assert.equal(p.ref, `${repository}@${p.digest}`);
    assert.equal(p.buildRun, b.run, 'the push names the build it pushed');

    const planned = cli(['plan', 'staging', '--quiet'], dir);
    assert.equal(planned.code, 2, planned.stderr);
    assert.ok(planned.stdout.includes(`Image: ${p.ref} (tag ${p.tag}`), planned.stdout);

    const deployed = cli(['deploy', 'staging', '--yes', '--json', '--quiet'], dir);
    assert.equal(deployed.code, 0, deployed.stderr + deployed.stdout);
    const d = JSON.parse(deployed.stdout);
    assert.equal(d.state, 'Applied');
    assert.equal(d.image.ref, p.ref);
    assert.equal(d.outputs.image, p.ref);
    const state = JSON.parse(fs.readFileSync(path.join(dir, 'infra', 'terraform.tfstate'), 'utf8'));
    assert.equal(state.outputs.image.value, p.ref, 'terraform deployed repo@sha256 of the push');

    const h = cli(['history', '--json'], dir);
    assert.equal(h.code, 0, h.stderr);
    const runs = JSON.parse(h.stdout) as Array<{
      id: string;
      kind: string;
      state: string;
      startedAt: string;
      meta?: Record<string, any>;
    }>;
    assert.deepEqual(
      [...runs].sort((x, y) => (x.startedAt < y.startedAt ? 1 : -1)).map((r) => r.id),
      runs.map((r) => r.id),
      'newest first',
    );
    const kinds = runs.map((r) => `${r.kind}:${r.state}`).reverse();
    assert.deepEqual(kinds, ['build:Succeeded', 'push:Succeeded', 'plan:Saved', 'plan:Applied']);
    for (const r of runs.filter((x) => x.kind !== 'build'))
      assert.equal(r.meta?.image?.ref, p.ref, `${r.kind} ${r.state} records the image`);
    const applied = runs.find((r) => r.state === 'Applied')!;
    assert.equal(applied.meta?.deployed.vars.image, p.ref, 'the deployment record holds the digest');
    const text = cli(['history', 'staging', '--limit', '1'], dir);
    assert.equal(text.code, 0, text.stderr);
    assert.equal(text.stdout.trim().split('\n').length, 1);
    assert.ok(text.stdout.includes(applied.id) && text.stdout.includes(p.ref), text.stdout);
  });

  it('a protected environment is planned but not applied without --confirm ENV', async () => {
    const dir = project(reg.host);
    const built = cli(['build', 'prod', '--json', '--quiet'], dir);
    assert.equal(built.code, 0, built.stderr + built.stdout);
    images.push(JSON.parse(built.stdout).image);
    const pushed = cli(['push', 'prod', '--quiet'], dir);
    assert.equal(pushed.code, 0, pushed.stderr);
    const noYes = cli(['deploy', 'prod', '--quiet'], dir);
    assert.equal(noYes.code, 4, noYes.stderr);
    assert.match(noYes.stderr, /pass --yes/);
    const noConfirm = cli(['deploy', 'prod', '--yes', '--quiet'], dir);
    assert.equal(noConfirm.code, 4, noConfirm.stderr);
    assert.match(noConfirm.stderr, /prod is protected; pass --confirm prod/);
    const wrong = cli(['deploy', 'prod', '--yes', '--confirm', 'staging', '--quiet'], dir);
    assert.equal(wrong.code, 4, wrong.stderr);
    assert.ok(!fs.existsSync(path.join(dir, 'infra-prod', 'terraform.tfstate')), 'nothing was applied');
    assert.ok(fs.existsSync(path.join(dir, '.helix', 'prod.plan')), 'the plan is saved for a later apply');
    const ok = cli(['deploy', 'prod', '--yes', '--confirm', 'prod', '--quiet'], dir);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(
      fs.readFileSync(path.join(dir, 'infra-prod', 'terraform.tfstate'), 'utf8'),
      /acme\/helixdb@sha256:[0-9a-f]{64}/,
    );
  });
});
