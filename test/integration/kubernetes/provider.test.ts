import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { harness, type Harness } from './harness';
import { KubernetesProvider } from '../../../src/providers/kubernetes/provider';
import { kubernetesContexts, kubernetesNamespaces } from '../../../src/providers/kubernetes/contexts';
import { kubernetesRequest, kubernetesSettings } from '../../../src/core/kubernetes/target';
import { Redactor } from '../../../src/core/process/redact';
import type { ProgressEvent } from '../../../src/core/engine/provider';

// The provider through the engine's request/result shapes (PlanRequest/ApplyRequest of src/core/engine).

describe('KubernetesProvider (engine DeployProvider shape) against the stand-in API server', function () {
  this.timeout(20000);
  let h: Harness;
  beforeEach(async () => (h = await harness()));
  afterEach(async () => h.close());

  function request(extra: { rollback?: string; image?: string } = {}) {
    const env = {
      name: 'staging',
      kind: 'kubernetes' as const,
      source: 'helix.deploy.toml' as const,
      settings: {
        kubernetes: {
          context: 'standin',
          namespace: 'default',
          manifests: path.join(__dirname, '../../fixtures/kubernetes/app'),
          image: extra.image ?? 'helixdb/helix:1.0',
          kubeconfig: h.kubeconfig,
        },
      },
    };
    const r = kubernetesRequest(kubernetesSettings(env, h.dir), extra);
    const lines: string[] = [];
    const progress: ProgressEvent[] = [];
    const redactor = new Redactor();
    return {
      lines,
      progress,
      redactor,
      req: {
        runId: 'r1',
        ...r,
        signal: new AbortController().signal,
        redactor,
        log: (l: string) => lines.push(redactor.redact(l)),
        progress: (e: ProgressEvent) => progress.push(e),
        planFile: path.join(h.dir, `plan-${Date.now()}.json`),
        destroy: false,
      },
    };
  }

  it('plans into the plan file (0600, masked model), applies exactly it, and plans a rollback', async () => {
    const p = new KubernetesProvider({ kubeconfig: () => h.kubeconfig });
    assert.equal((await p.status()).state, 'ok');
    const a = request();
    const planned = await p.plan(a.req);
    assert.equal(planned.outcome, 'changes', planned.error);
    assert.equal(planned.binding, true);
    assert.equal(fs.statSync(a.req.planFile).mode & 0o777, 0o600);
    assert.deepEqual(
      a.progress.map((e) => e.kind === 'planned' && e.change.action),
      ['create', 'create', 'create'],
    );
    // The redactor learned the Secret's value: logs that mention it are masked.
    assert.equal(a.redactor.redact('key=s3cr3t-api-key-value'), 'key=(sensitive)');
    const shown = await p.show({
      runId: 'r1',
      dir: a.req.dir,
      vars: a.req.vars,
      signal: a.req.signal,
      redactor: a.redactor,
      planFile: a.req.planFile,
    });
    assert.ok(!JSON.stringify(shown).includes('s3cr3t'));
    const applied = await p.apply(a.req);
    assert.equal(applied.outcome, 'applied', applied.error);
    assert.ok(a.lines.some((l) => l.includes('successfully rolled out')));

    const b = request({ image: 'helixdb/helix:1.1' });
    assert.equal((await p.plan(b.req)).outcome, 'changes');
    assert.equal((await p.apply(b.req)).outcome, 'applied');
    const c = request({ rollback: 'helix' });
    const rb = await p.plan(c.req);
    assert.equal(rb.outcome, 'changes', rb.error);
    assert.deepEqual(
      rb.model!.resources.map((r) => [r.address, r.action]),
      [['default/Deployment/helix', 'update']],
    );
    assert.ok(c.lines.some((l) => /rollback of default\/helix: revision 2 -> 1/.test(l)));
    assert.equal((await p.apply(c.req)).outcome, 'applied');
    const d = await h.cluster.get({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'helix', namespace: 'default' });
    assert.equal(d!.spec.template.spec.containers[0].image, 'helixdb/helix:1.0');
  });

  it('a second plan with no change is "no-changes"; destroy is refused with a reason', async () => {
    const p = new KubernetesProvider();
    const a = request();
    assert.equal((await p.plan(a.req)).outcome, 'changes');
    assert.equal((await p.apply(a.req)).outcome, 'applied');
    const again = request();
    assert.equal((await p.plan(again.req)).outcome, 'no-changes');
    const d = await p.plan({ ...request().req, destroy: true });
    assert.equal(d.outcome, 'errored');
    assert.match(d.error!, /destroy is not supported/);
  });

  it('a missing kubeconfig is a tool state; an unknown context is an errored plan with the known ones', async () => {
    const missing = new KubernetesProvider({ kubeconfig: () => path.join(h.dir, 'absent') });
    const s = await missing.status();
    assert.equal(s.state, 'missing');
    const a = request();
    (a.req.vars as any).context = 'prod';
    const r = await new KubernetesProvider().plan(a.req);
    assert.equal(r.outcome, 'errored');
    assert.match(r.error!, /no context "prod" \(known: standin\)/);
  });

  it('renders a kustomization with kubectl kustomize (argument array) before planning', async () => {
    const dir = path.join(h.dir, 'kustomize');
    fs.mkdirSync(dir);
    for (const f of ['deployment.yaml', 'service.yaml'])
      fs.copyFileSync(path.join(__dirname, '../../fixtures/kubernetes/app', f), path.join(dir, f));
    fs.writeFileSync(
      path.join(dir, 'kustomization.yaml'),
      'resources: [deployment.yaml, service.yaml]\nnamePrefix: k-\n',
    );
    const a = request();
    const r = await new KubernetesProvider().plan({ ...a.req, dir });
    assert.equal(r.outcome, 'changes', r.error);
    assert.deepEqual(r.model!.resources.map((x) => x.address).sort(), [
      'default/Deployment/k-helix',
      'default/Secret/k-helix-credentials',
      'default/Service/k-helix',
    ]);
  });

  it('lists contexts and namespaces for the Environments view', async () => {
    const ctx = kubernetesContexts({ file: h.kubeconfig });
    assert.equal(ctx.state, 'ok');
    assert.deepEqual(
      (ctx as any).contexts.map((c: any) => [c.name, c.current, c.namespace]),
      [['standin', true, 'default']],
    );
    const ns = await kubernetesNamespaces('standin', { file: h.kubeconfig });
    assert.deepEqual(ns, { state: 'ok', namespaces: ['default', 'kube-public', 'kube-system'] });
    await h.server.close();
    const down = await kubernetesNamespaces('standin', { file: h.kubeconfig, timeoutMs: 1000 });
    assert.equal(down.state, 'error');
  });
});
