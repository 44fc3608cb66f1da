import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { RunSnapshot } from '../../../src/core/engine/engine';
import type { DeployTarget } from '../../../src/core/engine/target';
import { CANARY, harness, planAndApprove, TF_ENV, terraformAvailable, workDir, type Harness } from './harness';
import { poll } from '../../support/poll';
import { collect, type Collected } from '../../support/process';

// Health decides, with real terraform and no panel: the engine's apply ends with the environment's health
// check (`${outputs.url}` from the apply), records it in the run, and an Unhealthy apply is a state of its own
// with a rollback to the previous healthy deployment (automatic with auto_rollback = true).

/** A tiny instance whose answers the test controls: /<slug>/healthz and /<slug>/readyz, slug = the deployed image. */
class FakeInstance {
  readonly notReady = new Set<string>();
  readonly deadSlugs = new Set<string>();
  readonly hits: string[] = [];
  private server!: http.Server;
  port = 0;

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      this.hits.push(req.url ?? '');
      const [, slug, route] = (req.url ?? '').split('/');
      const ok =
        route === 'healthz' ? !this.deadSlugs.has(slug!) : route === 'readyz' ? !this.notReady.has(slug!) : false;
      res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(ok ? 'ok' : 'no');
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
  }

  stop(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}

/** The deployed image as a URL path segment (the same as terraform's replace below). */
const slug = (image: string) => image.replace(/[^a-z0-9]/g, '-');

const tf = (port: number) => `
resource "terraform_data" "app" { input = var.image }
output "url" { value = "http://127.0.0.1:${port}/\${replace(var.image, "/[^a-z0-9]/", "-")}" }
output "image" { value = var.image }
`;

const HEALTH = {
  liveness: '${outputs.url}/healthz',
  readiness: '${outputs.url}/readyz',
  timeout: '2s',
  deadline: '1500ms',
};

describe('health decides: the engine checks health after every apply (real terraform)', function () {
  this.timeout(180_000);
  const open: Harness[] = [];
  const inst = new FakeInstance();
  before(async () => {
    terraformAvailable();
    await inst.start();
  });
  after(() => inst.stop());
  afterEach(async () => {
    inst.notReady.clear();
    inst.deadSlugs.clear();
    for (const h of open.splice(0)) await h.close();
  });

  const make = async (name: string) => {
    const h = await harness(name);
    open.push(h);
    h.writeTf(tf(inst.port));
    return h;
  };
  /** The harness's environment with a health table (and more settings), deploying `image`. */
  const target = (h: Harness, image: string, extra: Record<string, unknown> = {}, protect = false): DeployTarget => {
    const t = h.target();
    return {
      ...t,
      environment: {
        ...t.environment,
        protected: protect,
        settings: { ...t.environment.settings, health: HEALTH, ...extra },
      },
      context: { image },
    };
  };
  const apply = async (h: Harness, t: DeployTarget): Promise<RunSnapshot> => {
    const approved = await planAndApprove(h, t);
    return (await h.engine.startApply(approved.run.id)).done;
  };

  it('an apply from the engine (no panel) records healthy, with each check and attempt', async () => {
    const h = await make('health-ok');
    const done = await apply(h, target(h, 'ghcr.io/acme/helixdb:v1'));
    assert.equal(done.run.state, 'Applied', done.run.error);
    const m = done.run.meta!;
    assert.equal(m.health, 'healthy');
    assert.match(String(m.healthReason), /passed/);
    const url = `http://127.0.0.1:${inst.port}/${slug('ghcr.io/acme/helixdb:v1')}`;
    assert.deepEqual(
      (m.healthChecks as { name: string; url: string; ok: boolean; status: number }[]).map((c) => [
        c.name,
        c.url,
        c.ok,
        c.status,
      ]),
      [
        ['liveness', `${url}/healthz`, true, 200],
        ['readiness', `${url}/readyz`, true, 200],
      ],
    );
    assert.ok((m.healthChecks as { ms: number }[]).every((c) => typeof c.ms === 'number'));
    assert.ok(
      done.run.log.some(
        (l) => l.startsWith('Checking health: liveness') && l.includes('timeout 2000 ms per request, deadline 1500 ms'),
      ),
      done.run.log.join('\n'),
    );
    assert.ok(
      done.run.log.some((l) => /^Health attempt 1: liveness ok \(200/.test(l)),
      done.run.log.join('\n'),
    );
    assert.ok(inst.hits.includes(`/${slug('ghcr.io/acme/helixdb:v1')}/readyz`));
    // Recorded in the history file, for the CLI and other windows.
    assert.match(fs.readFileSync(h.journalFile, 'utf8'), /"health":"healthy"/);
  });

  it('an environment without a health table ends Applied with health unknown, saying so', async () => {
    const h = await make('health-none');
    const t = h.target();
    const done = await apply(h, { ...t, context: { image: 'ghcr.io/acme/helixdb:v1' } });
    assert.equal(done.run.state, 'Applied', done.run.error);
    assert.equal(done.run.meta?.health, 'unknown');
    assert.deepEqual(done.run.meta?.healthChecks, []);
    assert.ok(
      done.run.log.some((l) =>
        /Health: unknown \(environment "staging" has no health table in helix\.deploy\.toml\)/.test(l),
      ),
      done.run.log.join('\n'),
    );
  });

  it('readiness failing ends the run Unhealthy; a rollback is offered, to the previous healthy deployment', async () => {
    const h = await make('health-bad');
    const v1 = await apply(h, target(h, 'ghcr.io/acme/helixdb:v1'));
    assert.equal(v1.run.state, 'Applied', v1.run.error);
    assert.equal(h.engine.canRollback(h.target()), false, 'one deployment: nothing earlier');
    inst.notReady.add(slug('ghcr.io/acme/helixdb:v2'));
    const v2 = await apply(h, target(h, 'ghcr.io/acme/helixdb:v2'));
    assert.equal(v2.run.state, 'Unhealthy', v2.run.error);
    assert.match(
      v2.run.error!,
      /^Applied, but the health check failed: not healthy within 1500 ms \(\d+ attempts\): readiness .*readyz: HTTP 503/,
    );
    assert.equal(v2.run.meta?.health, 'unhealthy');
    const checks = v2.run.meta?.healthChecks as { name: string; ok: boolean; status: number }[];
    assert.deepEqual(
      checks.map((c) => [c.name, c.ok, c.status]),
      [
        ['liveness', true, 200],
        ['readiness', false, 503],
      ],
    );
    assert.ok(v2.run.log.filter((l) => l.startsWith('Health attempt')).length >= 2, 'retried until the deadline');
    // Terraform did apply it: the state holds v2.
    assert.equal(h.tf(['output', '-raw', 'image']).stdout.trim(), 'ghcr.io/acme/helixdb:v2');
    assert.equal(h.engine.list({ environment: 'staging', active: true }).length, 0, 'the lock is released');

    assert.equal(h.engine.canRollback(h.target()), true, 'rollback offered after an Unhealthy apply');
    const rb = await (await h.engine.planRollback(target(h, 'ghcr.io/acme/helixdb:v2'))).done;
    assert.equal(rb.run.state, 'Planned', rb.run.error);
    assert.equal(rb.run.meta?.rollbackTo, v1.run.id, 'the target is the previous healthy deployment');
    await h.engine.approve(rb.run.id, rb.planHash!);
    const back = await (await h.engine.startApply(rb.run.id)).done;
    assert.equal(back.run.state, 'Applied', back.run.error);
    assert.equal(back.run.meta?.health, 'healthy');
    assert.equal(h.tf(['output', '-raw', 'image']).stdout.trim(), 'ghcr.io/acme/helixdb:v1');
  });

  it('auto_rollback = true: an Unhealthy apply is rolled back (planned, approved and applied by auto-rollback) and ends healthy', async () => {
    const h = await make('health-auto');
    const v1 = await apply(h, target(h, 'ghcr.io/acme/helixdb:v1', { auto_rollback: true }));
    assert.equal(v1.run.state, 'Applied', v1.run.error);
    inst.notReady.add(slug('ghcr.io/acme/helixdb:v2'));
    const v2 = await apply(h, target(h, 'ghcr.io/acme/helixdb:v2', { auto_rollback: true }));
    assert.equal(v2.run.state, 'Unhealthy', v2.run.error);
    const autoId = v2.run.meta?.autoRollback as string;
    assert.ok(autoId, `no automatic rollback recorded:\n${v2.run.log.join('\n')}`);
    const rb = h.journal.get(autoId)!;
    assert.equal(rb.kind, 'rollback');
    assert.equal(rb.who, 'auto-rollback');
    assert.equal(rb.meta?.approvedBy, 'auto-rollback');
    assert.equal(rb.meta?.rollbackTo, v1.run.id);
    assert.equal(rb.state, 'Applied', rb.error);
    assert.equal(rb.meta?.health, 'healthy');
    assert.equal(h.tf(['output', '-raw', 'image']).stdout.trim(), 'ghcr.io/acme/helixdb:v1');
    assert.ok(
      h.journal
        .get(v2.run.id)!
        .log.some((l) => l.includes(`Auto-rollback: run ${autoId} ended Applied (health healthy)`)),
    );
    assert.ok(!fs.readFileSync(h.journalFile, 'utf8').includes(CANARY));
  });

  it('protected + auto_rollback: the rollback is planned and stops at Planned, awaiting approval', async () => {
    const h = await make('health-protected');
    await apply(h, target(h, 'ghcr.io/acme/helixdb:v1', { auto_rollback: true }, true));
    inst.notReady.add(slug('ghcr.io/acme/helixdb:v2'));
    const v2 = await apply(h, target(h, 'ghcr.io/acme/helixdb:v2', { auto_rollback: true }, true));
    assert.equal(v2.run.state, 'Unhealthy', v2.run.error);
    const rb = h.engine.snapshot(v2.run.meta?.autoRollback as string)!;
    assert.equal(rb.run.kind, 'rollback');
    assert.equal(rb.run.state, 'Planned', rb.run.error);
    assert.equal(rb.run.who, 'auto-rollback');
    assert.ok(rb.planHash);
    assert.ok(h.journal.get(v2.run.id)!.log.some((l) => l.includes('waits for approval (staging is protected)')));
    assert.equal(
      h.tf(['output', '-raw', 'image']).stdout.trim(),
      'ghcr.io/acme/helixdb:v2',
      'nothing rolled back without approval',
    );
    await h.engine.discard(rb.run.id);
  });

  it('a cancel during the health step stops the probes: the apply stands (Applied), health unknown', async () => {
    const h = await make('health-cancel');
    inst.notReady.add(slug('ghcr.io/acme/helixdb:v1'));
    // The default deadline (60 s): only the cancel ends the probing early.
    const approved = await planAndApprove(
      h,
      target(h, 'ghcr.io/acme/helixdb:v1', { health: { ...HEALTH, deadline: undefined } }),
    );
    const handle = await h.engine.startApply(approved.run.id);
    await poll(() => h.journal.get(handle.id)!.log.some((l) => l.startsWith('Health attempt 2')), {
      what: 'health attempts',
      timeoutMs: 30_000,
    });
    await h.engine.cancel(handle.id, 'Test User');
    const done = await handle.done;
    assert.equal(done.run.state, 'Applied', done.run.error);
    assert.equal(done.run.meta?.health, 'unknown');
    assert.match(String(done.run.meta?.healthReason), /^health check cancelled/);
    assert.ok(
      done.run.log.some((l) => l.includes('the apply is done; stopping the health check')),
      done.run.log.join('\n'),
    );
    assert.ok(done.run.log.some((l) => l.startsWith('Checking health:') && l.includes('deadline 60000 ms')));
  });

  it('helix-deploy apply prints the health and exits 3 when the apply is Unhealthy', async () => {
    const dir = workDir('health-cli');
    fs.writeFileSync(
      path.join(dir, 'helix.toml'),
      '[project]\nname = "demo"\nqueries = "db/"\n\n[local.dev]\nport = 6969\nbuild_mode = "dev"\n',
    );
    fs.writeFileSync(
      path.join(dir, 'helix.deploy.toml'),
      '[environments.staging]\ninstance = "dev"\nregistry = "ghcr.io/acme/helixdb"\n' +
        'terraform = { dir = "infra", vars = { image = "ghcr.io/acme/helixdb:dev" } }\n' +
        'health = { liveness = "${outputs.url}/healthz", readiness = "${outputs.url}/readyz", timeout = "1s", deadline = "1s" }\n',
    );
    fs.mkdirSync(path.join(dir, 'infra'));
    fs.writeFileSync(path.join(dir, 'infra', 'main.tf'), 'variable "image" { type = string }\n' + tf(inst.port));
    inst.notReady.add(slug('ghcr.io/acme/helixdb:dev'));
    const planFile = path.join(dir, 'staging.plan');
    const p = await cli(['plan', 'staging', '--out', planFile, '--quiet'], dir);
    assert.equal(p.code, 2, p.stderr);
    const a = await cli(['apply', 'staging', '--plan', planFile, '--quiet'], dir);
    assert.equal(a.code, 3, `${a.stdout}\n${a.stderr}`);
    assert.match(a.stdout, /Applied, but UNHEALTHY \(run /);
    assert.match(a.stdout, /Health: unhealthy \(not healthy within 1000 ms/);
    assert.match(a.stdout, /readiness FAILED: http:\/\/127\.0\.0\.1:\d+\/ghcr-io-acme-helixdb-dev\/readyz 503/);
    assert.match(a.stderr, /Unhealthy: Applied, but the health check failed/);
    const help = await cli(['apply', '--help'], dir);
    assert.match(help.stdout, /3 applied but unhealthy/);
  });
});

const CLI = path.resolve(__dirname, '../../../src/cli/index.ts');

/** The CLI as a child process, asynchronously: this process's HTTP server must keep answering meanwhile. */
function cli(args: string[], cwd: string): Promise<Collected> {
  return collect(process.execPath, ['--require', require.resolve('tsx/cjs'), CLI, ...args], {
    cwd,
    env: { ...process.env, ...TF_ENV },
  });
}
