import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import Docker from 'dockerode';
import { startRegistry, testDockerSocket, tmpRoot, type TestRegistry } from '../../support/registry';
import { TF_ENV, terraformAvailable } from '../terraform/harness';
import { collect, type Collected } from '../../support/process';

// The whole journey with the built CLI, health deciding: build, push, plan (shows the digest), deploy --yes,
// healthy; then helix.toml changes, a new image is built, pushed and deployed, the deployment of that digest
// answers unhealthy: exit 3, and auto_rollback applies the previous digest again, healthy. history --json
// tells the story with the digests. The "deployment" is an HTTP server of this test that terraform's output
// points at, one path per deployed image, so the test decides health per digest.
const CLI = path.resolve(__dirname, '../../../dist/cli.js');

/** Asynchronous: this process's HTTP server must keep answering while the CLI runs. */
function cli(args: string[], cwd: string): Promise<Collected> {
  return collect(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, ...TF_ENV } });
}

/** The deployed image as a URL path segment (the same as terraform's replace in the project's main.tf). */
const slug = (image: string) => image.replace(/[^a-z0-9]/g, '-');

function project(host: string, port: number): string {
  const dir = tmpRoot();
  fs.writeFileSync(
    path.join(dir, 'helix.toml'),
    '[project]\nname = "journey"\nqueries = "db/"\n\n[local.dev]\nport = 6969\nbuild_mode = "dev"\n',
  );
  fs.writeFileSync(
    path.join(dir, 'helix.deploy.toml'),
    `[environments.staging]\ninstance = "dev"\nregistry = "${host}/acme/helixdb"\nauto_rollback = true\n` +
      'terraform = { dir = "infra", vars = { image = "${image}" } }\n' +
      'health = { liveness = "${outputs.url}/healthz", readiness = "${outputs.url}/readyz", timeout = "1s", deadline = "1500ms" }\n\n' +
      '[instances.dev]\nbuild = "."\n',
  );
  // No image can be pulled here: scratch + a static busybox; helix.toml is in the image, so editing it makes a new one.
  fs.copyFileSync('/bin/busybox', path.join(dir, 'busybox'));
  fs.writeFileSync(path.join(dir, 'id.txt'), `${dir} ${Date.now()}`);
  fs.writeFileSync(
    path.join(dir, 'Dockerfile'),
    'FROM scratch\nCOPY busybox /bin/busybox\nCOPY id.txt /id.txt\nCOPY helix.toml /helix.toml\n',
  );
  fs.mkdirSync(path.join(dir, 'infra'));
  fs.writeFileSync(
    path.join(dir, 'infra', 'main.tf'),
    'variable "image" { type = string }\nresource "terraform_data" "app" { input = var.image }\n' +
      `output "url" { value = "http://127.0.0.1:${port}/\${replace(var.image, "/[^a-z0-9]/", "-")}" }\noutput "image" { value = var.image }\n`,
  );
  return dir;
}

describe('CLI journey with health: build, push, deploy healthy, change, deploy unhealthy, auto-rollback', function () {
  this.timeout(300_000);
  let reg: TestRegistry;
  let server: http.Server;
  let port = 0;
  const unhealthy = new Set<string>();
  const hits: string[] = [];
  const docker = new Docker({ socketPath: testDockerSocket() });
  const images: string[] = [];

  before(async () => {
    terraformAvailable();
    if (!fs.existsSync(CLI))
      throw new Error(`${CLI} is missing: the test runner builds it (node scripts/test.mjs integration)`);
    await docker.ping();
    reg = await startRegistry();
    server = http.createServer((req, res) => {
      hits.push(req.url ?? '');
      const [, s, route] = (req.url ?? '').split('/');
      const ok = (route === 'healthz' || route === 'readyz') && !unhealthy.has(s!);
      res.writeHead(ok ? 200 : 503).end(ok ? 'ok' : 'no');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    for (const i of images)
      await docker
        .getImage(i)
        .remove({ force: true })
        .catch(() => undefined);
    await reg?.stop();
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
  });

  const buildAndPush = async (dir: string) => {
    const built = await cli(['build', 'staging', '--json', '--quiet'], dir);
    assert.equal(built.code, 0, built.stderr + built.stdout);
    const b = JSON.parse(built.stdout);
    images.push(b.image);
    const pushed = await cli(['push', 'staging', '--json', '--quiet'], dir);
    assert.equal(pushed.code, 0, pushed.stderr + pushed.stdout);
    const p = JSON.parse(pushed.stdout);
    assert.equal(p.buildRun, b.run);
    return p as { ref: string; digest: string; tag: string; buildRun: string };
  };
  const tfImage = (dir: string) =>
    JSON.parse(fs.readFileSync(path.join(dir, 'infra', 'terraform.tfstate'), 'utf8')).outputs.image.value;

  it('deploys the pushed digest healthy, rolls an unhealthy new digest back automatically, and history tells it all', async () => {
    const dir = project(reg.host, port);
    const p1 = await buildAndPush(dir);

    const planned = await cli(['plan', 'staging', '--quiet'], dir);
    assert.equal(planned.code, 2, planned.stderr);
    assert.ok(planned.stdout.includes(`Image: ${p1.ref} (tag ${p1.tag}`), planned.stdout);

    const first = await cli(['deploy', 'staging', '--yes', '--json', '--quiet'], dir);
    assert.equal(first.code, 0, first.stderr + first.stdout);
    const d1 = JSON.parse(first.stdout);
    assert.equal(d1.state, 'Applied');
    assert.equal(d1.image.ref, p1.ref);
    assert.equal(d1.health, 'healthy');
    assert.ok(hits.includes(`/${slug(p1.ref)}/readyz`), 'the health check asked the deployment of the pushed digest');
    assert.equal(tfImage(dir), p1.ref);

    // Change helix.toml: the next build is a different image, so a different digest.
    const toml = path.join(dir, 'helix.toml');
    fs.writeFileSync(toml, fs.readFileSync(toml, 'utf8').replace('port = 6969', 'port = 6970'));
    const p2 = await buildAndPush(dir);
    assert.notEqual(p2.digest, p1.digest, 'the edited helix.toml makes a new image');
    unhealthy.add(slug(p2.ref));

    const second = await cli(['deploy', 'staging', '--yes', '--quiet'], dir);
    assert.equal(second.code, 3, `${second.stdout}\n${second.stderr}`);
    assert.match(second.stdout, /Applied, but UNHEALTHY \(run /);
    assert.match(
      second.stdout,
      /Automatic rollback: run \S+ Applied\.\nHealth: healthy/,
      'deploy reports the automatic rollback and its health',
    );
    assert.match(second.stderr, /Unhealthy: Applied, but the health check failed/);
    assert.equal(tfImage(dir), p1.ref, 'auto_rollback deployed the previous digest again');

    const h = await cli(['history', '--json'], dir);
    assert.equal(h.code, 0, h.stderr);
    const runs = (
      JSON.parse(h.stdout) as Array<{
        id: string;
        kind: string;
        state: string;
        who?: string;
        meta?: Record<string, any>;
      }>
    ).reverse();
    assert.deepEqual(
      runs.map((r) => `${r.kind}:${r.state}`),
      [
        'build:Succeeded',
        'push:Succeeded',
        'plan:Saved',
        'plan:Applied',
        'build:Succeeded',
        'push:Succeeded',
        'plan:Unhealthy',
        'rollback:Applied',
      ],
      h.stdout,
    );
    const [, push1, , apply1, , push2, bad, rollback] = runs;
    assert.equal(push1!.meta?.digest, p1.digest);
    assert.equal(push2!.meta?.digest, p2.digest);
    assert.equal(apply1!.meta?.image?.ref, p1.ref);
    assert.equal(apply1!.meta?.deployed?.vars?.image, p1.ref);
    assert.equal(apply1!.meta?.health, 'healthy');
    assert.equal(bad!.meta?.image?.ref, p2.ref);
    assert.equal(bad!.meta?.deployed?.vars?.image, p2.ref, 'terraform did apply the new digest before health said no');
    assert.equal(bad!.meta?.health, 'unhealthy');
    assert.equal(bad!.meta?.autoRollback, rollback!.id);
    assert.equal(rollback!.who, 'auto-rollback');
    assert.equal(rollback!.meta?.rollbackTo, apply1!.id);
    assert.equal(rollback!.meta?.health, 'healthy');
    assert.equal(rollback!.meta?.deployed?.vars?.image, p1.ref, 'the rollback deployed the previous digest');
  });
});
