// The panel host against the REAL engine (src/core/engine), real terraform (builtin provider,
// offline), the real health service probing a local HTTP server: plan -> review -> typed approval
// -> apply -> health green, through the same PanelSession the webview talks to. The canary secret (a
// sensitive terraform variable fed from the environment) must never be in anything the host posts.

import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HealthService } from '../../../src/core/health/service';
import type { Project } from '../../../src/core/model/types';
import { DeployPanelBackend, healthEndpointsFor } from '../../../src/webview/host/engineBackend';
import { envKey } from '../../../src/core/model/environment-ref';
import { PanelSession } from '../../../src/webview/host/session';
import type { HostMessage, RunView } from '../../../src/webview/protocol';
import { CANARY, harness, terraformAvailable, type Harness } from '../terraform/harness';
import { recordedPush } from '../../support/pushed';
import type { DeployImage } from '../../../src/core/engine/image';
import { poll } from '../../support/poll';

describe('panel host on the real engine and terraform', function () {
  this.timeout(120_000);
  let h: Harness;
  let server: http.Server;
  let url = '';
  let backend: DeployPanelBackend;
  let session: PanelSession;
  const posts: HostMessage[] = [];
  let project: Project;
  let first: DeployImage;
  const lastRun = (): RunView | undefined => {
    for (let i = posts.length - 1; i >= 0; i--) {
      const m = posts[i]!;
      if (m.type === 'run') return m.run;
      if (m.type === 'snapshot') return m.state.run;
    }
    return undefined;
  };

  before(async () => {
    terraformAvailable();
    server = http.createServer((req, res) => {
      res.statusCode = req.url === '/healthz' || req.url === '/readyz' ? 200 : 404;
      res.end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    h = await harness('panel');
    h.writeTf(`
resource "terraform_data" "app" {
  input            = var.image
  triggers_replace = [var.image]
  provisioner "local-exec" {
    command = "printf '\\\\033[32mdeployed %s\\\\033[0m\\\\n' ${'$'}{self.input}"
  }
}
resource "terraform_data" "credentials" {
  input = { user = "helix", password = var.db_password }
}
output "url" { value = "${url}" }
`);
    const t = h.target();
    // As in helix.deploy.toml: registry + tag give ${image} (deployTargetFor), health probes use the outputs.
    t.environment.settings = {
      ...t.environment.settings,
      registry: 'ghcr.io/acme/helixdb',
      tag: '1.2.3',
      health: { liveness: '${outputs.url}/healthz', readiness: '${outputs.url}/readyz' },
    };
    t.environment.protected = true;
    // ${image} of an environment with a registry is the image last pushed for it.
    first = recordedPush(
      t.project.dir,
      t.environment.name,
      'ghcr.io/acme/helixdb',
      t.project.name,
      `sha256:${'12'.repeat(32)}`,
    );
    await h.journal.reload();
    project = {
      name: t.project.name,
      dir: t.project.dir,
      configFile: `${t.project.dir}/helix.toml`,
      generation: 'v3.4',
      containerRuntime: 'docker',
      environments: [t.environment],
      errorCount: 0,
    };
    backend = new DeployPanelBackend({
      engine: h.engine,
      projects: () => [project],
      health: new HealthService(),
      redact: (s) => h.redactor.redact(s),
    });
    session = new PanelSession(envKey(project.dir, t.environment.name), backend, {
      post: (m) => void posts.push(JSON.parse(JSON.stringify(m))),
      openDiff: () => {},
      copy: async () => {},
      save: async () => {},
      log: (m) => assert.fail(m),
    });
    await session.handle({ type: 'ready', version: 1 });
  });

  after(async () => {
    session?.dispose();
    backend?.dispose();
    await h?.close();
    server?.close();
  });

  it('plans from the panel and shows the plan model once Planned', async () => {
    await session.handle({ type: 'plan' });
    await poll(() => ['Planned', 'PlanFailed'].includes(lastRun()?.state ?? ''), {
      what: 'the plan',
      timeoutMs: 60_000,
    }).catch((e) => {
      throw new Error(`${e.message}: ${JSON.stringify(posts).slice(0, 1500)}`);
    });
    const run = lastRun()!;
    assert.equal(run.state, 'Planned', run.error);
    assert.ok(run.planHash && run.expiresAt && run.expiresAt > Date.now());
    assert.deepEqual(run.transitions.map((t) => t.state).slice(-2), ['Planning', 'Planned']);
    const planMsg = [...posts].reverse().find((m) => m.type === 'run' && m.plan) as Extract<
      HostMessage,
      { type: 'run' }
    >;
    assert.equal(planMsg.plan!.summary.create, 2);
    assert.ok(
      posts.some((m) => m.type === 'log'),
      'plan output streamed',
    );
  });

  it('builds attribute details on expand, masking the sensitive password', async () => {
    await session.handle({ type: 'expand', section: 'resources', address: 'terraform_data.credentials' });
    const d = posts.filter((m) => m.type === 'detail').pop() as Extract<HostMessage, { type: 'detail' }>;
    const pw = d.attributes.find((a) => a.path.join('.') === 'input.password');
    assert.ok(pw, JSON.stringify(d.attributes));
    assert.equal(pw.after, '(sensitive)');
  });

  it('refuses approval without the typed environment name (protected), then applies with it', async () => {
    const run = lastRun()!;
    await session.handle({ type: 'approve', runId: run.id, planHash: run.planHash! });
    const n = posts.filter((m) => m.type === 'notice').pop() as Extract<HostMessage, { type: 'notice' }>;
    assert.match(n.notice!.message, /Type "staging"/);
    assert.equal(h.engine.snapshot(run.id)!.run.state, 'Planned');
    await session.handle({ type: 'approve', runId: run.id, planHash: run.planHash!, confirmation: 'staging' });
    await poll(() => ['Applied', 'ApplyFailed'].includes(lastRun()?.state ?? ''), {
      what: 'the apply',
      timeoutMs: 60_000,
    });
    assert.equal(lastRun()!.state, 'Applied', lastRun()!.error);
    await new Promise((r) => setTimeout(r, 200)); // the session batches log lines (40 ms)
    const logText = posts
      .filter((m) => m.type === 'log')
      .flatMap((m) => (m as { lines: { text: string }[] }).lines.map((l) => l.text))
      .join('\n');
    assert.match(logText, /terraform apply/);
    assert.match(logText, /Apply complete|Creation complete|apply_complete|complete/i);
  });

  it('checks health after the apply and reports it green', async () => {
    assert.deepEqual(healthEndpointsFor(project.environments[0]!, { url }), {
      liveness: `${url}/healthz`,
      readiness: `${url}/readyz`,
    });
    await poll(() => posts.some((m) => m.type === 'health' && m.health.overall === 'pass'), {
      what: 'health to go green',
      timeoutMs: 30_000,
    });
    const hm = posts.filter((m) => m.type === 'health').pop() as Extract<HostMessage, { type: 'health' }>;
    assert.deepEqual(
      hm.health.probes.map((p) => [p.name, p.status]),
      [
        ['liveness', 'pass'],
        ['readiness', 'pass'],
      ],
    );
    assert.ok(hm.health.probes.every((p) => p.history.length >= 1 && typeof p.latencyMs === 'number'));
  });

  it('a re-opened panel gets the same run in a full snapshot', async () => {
    session.detached();
    await session.handle({ type: 'ready', version: 1 });
    const s = posts.pop() as Extract<HostMessage, { type: 'snapshot' }>;
    assert.equal(s.type, 'snapshot');
    assert.equal(s.state.run?.state, 'Applied');
    assert.equal(s.state.health?.overall, 'pass');
    assert.ok(s.state.logs.run.length > 0);
    posts.push(s);
  });

  it('offers Rollback once an earlier deployment exists; rollback is a planned run approved in the panel', async () => {
    const envOf = () =>
      (posts.filter((m) => m.type === 'snapshot').pop() as Extract<HostMessage, { type: 'snapshot' }>).state.env;
    assert.equal(envOf().canRollback, false, 'one deployment: nothing earlier');
    // Deploy a second version (a second push) through the panel.
    const second = recordedPush(h.root, 'staging', 'ghcr.io/acme/helixdb', 'demo', `sha256:${'34'.repeat(32)}`);
    await h.journal.reload();
    await session.handle({ type: 'plan' });
    await poll(() => lastRun()?.state === 'Planned' && lastRun()!.transitions.length > 1, {
      what: 'the v2 plan',
      timeoutMs: 60_000,
    });
    const v2 = lastRun()!;
    await session.handle({ type: 'approve', runId: v2.id, planHash: v2.planHash!, confirmation: 'staging' });
    await poll(() => lastRun()?.id === v2.id && ['Applied', 'ApplyFailed'].includes(lastRun()!.state), {
      what: 'the v2 apply',
      timeoutMs: 60_000,
    });
    assert.equal(lastRun()!.state, 'Applied', lastRun()!.error);
    await poll(() => envOf().canRollback, { what: 'the env header to offer Rollback', timeoutMs: 5_000 });

    await session.handle({ type: 'rollback' });
    await poll(() => lastRun()?.kind === 'rollback' && ['Planned', 'PlanFailed'].includes(lastRun()!.state), {
      what: 'the rollback plan',
      timeoutMs: 60_000,
    });
    const rb = lastRun()!;
    assert.equal(rb.state, 'Planned', rb.error);
    const planMsg = [...posts].reverse().find((m) => m.type === 'run' && m.run?.id === rb.id && m.plan) as Extract<
      HostMessage,
      { type: 'run' }
    >;
    assert.equal(planMsg.plan!.summary.replace, 1, 'the app goes back to the first pushed image (replace)');
    assert.deepEqual(planMsg.plan!.image, first, 'the rollback plan shows the digest it goes back to');
    await session.handle({ type: 'expand', section: 'resources', address: 'terraform_data.app' });
    const d = posts.filter((m) => m.type === 'detail').pop() as Extract<HostMessage, { type: 'detail' }>;
    const input = d.attributes.find((a) => a.path.join('.') === 'input')!;
    assert.deepEqual([input.before, input.after], [second.ref, first.ref]);
    await session.handle({ type: 'approve', runId: rb.id, planHash: rb.planHash!, confirmation: 'staging' });
    await poll(() => lastRun()?.id === rb.id && ['Applied', 'ApplyFailed'].includes(lastRun()!.state), {
      what: 'the rollback apply',
      timeoutMs: 60_000,
    });
    assert.equal(lastRun()!.state, 'Applied', lastRun()!.error);
    assert.equal(h.tf(['state', 'show', '-no-color', 'terraform_data.app']).stdout.includes(first.ref), true);
  });

  it('never posted the canary secret', () => {
    const wire = JSON.stringify(posts);
    assert.ok(wire.length > 1000);
    assert.ok(!wire.includes(CANARY), 'canary secret reached the webview');
  });
});
