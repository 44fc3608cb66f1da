import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { harness, type Harness } from './harness';
import { DeployRunner } from '../../../src/core/engine/engine';
import { Journal } from '../../../src/core/engine/journal';
import { LockManager } from '../../../src/core/engine/locks';
import { DeployError } from '../../../src/core/engine/errors';
import { KubernetesProvider } from '../../../src/providers/kubernetes/provider';
import { attributesOf, SENSITIVE } from '../../../src/core/plan/model';
import { readDriftRecord } from '../../../src/core/drift/model';
import { run } from '../../../src/core/process/spawn';
import type { Environment } from '../../../src/core/model/types';

// Drift of a Kubernetes environment: deployed by the engine to the stand-in API server, then edited out of
// band with the real kubectl (/usr/bin/kubectl, as in kubectl-fidelity.test.ts; fails without it), then
// checked: by the engine (a `drift` run in the history) and by `helix-deploy drift` (exit codes).

const KUBECTL = process.env.HELIX_TEST_KUBECTL ?? 'kubectl';
const CLI = path.resolve(__dirname, '../../../src/cli/index.ts');
const MANIFESTS = path.join(__dirname, '../../fixtures/kubernetes/app');

describe('drift of a Kubernetes environment (stand-in API server, real kubectl)', function () {
  // Each CLI run is a fresh Node process compiling TypeScript through tsx: seconds each on a loaded machine.
  this.timeout(240_000);
  let h: Harness;
  let journal: Journal;
  const kubectl = (...args: string[]) =>
    run(KUBECTL, ['--kubeconfig', h.kubeconfig, '--request-timeout=10s', ...args], {
      env: { PATH: process.env.PATH, HOME: h.dir },
      killAfterMs: 2000,
    });

  beforeEach(async () => {
    h = await harness();
    journal = await Journal.open(path.join(h.dir, 'runs.journal'));
  });
  afterEach(async () => {
    await journal.close();
    await h.close();
  });

  function setup() {
    const engine = new DeployRunner({
      journal,
      locks: new LockManager(path.join(h.dir, 'locks')),
      stateDir: path.join(h.dir, 'state'),
      providers: { kubernetes: new KubernetesProvider() },
      who: () => 'test <test@example.invalid>',
    });
    const environment: Environment = {
      name: 'staging',
      kind: 'kubernetes',
      source: 'helix.deploy.toml',
      settings: {
        kubernetes: {
          context: 'standin',
          namespace: 'default',
          manifests: MANIFESTS,
          image: '${image}',
          kubeconfig: h.kubeconfig,
        },
      },
    };
    return {
      engine,
      target: { project: { name: 'demo', dir: h.dir }, environment, context: { image: 'helixdb/helix:1.0' } },
    };
  }

  async function deploy(engine: DeployRunner, target: ReturnType<typeof setup>['target']) {
    const plan = await (await engine.startPlan(target)).done;
    assert.equal(plan.run.state, 'Planned', plan.run.error);
    await engine.approve(plan.run.id, plan.planHash!);
    const applied = await (await engine.startApply(plan.run.id)).done;
    assert.equal(applied.run.state, 'Applied', applied.run.error);
  }

  it('no drift right after a deploy; kubectl edits out of band are drift with their attribute diffs, secrets masked', async () => {
    const { engine, target } = setup();
    await deploy(engine, target);
    const clean = await (await engine.startDriftCheck(target)).done;
    assert.equal(clean.run.state, 'Succeeded', clean.run.error);
    assert.equal(clean.run.kind, 'drift');
    assert.deepEqual(clean.report?.resources, []);
    assert.equal(readDriftRecord(clean.run.meta)?.count, 0);

    const scaled = await kubectl(
      'patch',
      'deployment',
      'helix',
      '-n',
      'default',
      '--type=merge',
      '-p',
      '{"spec":{"replicas":5}}',
    );
    assert.equal(scaled.code, 0, scaled.stderr);
    const secret = await kubectl(
      'patch',
      'secret',
      'helix-credentials',
      '-n',
      'default',
      '--type=merge',
      '-p',
      `{"data":{"api-key":"${Buffer.from('changed-by-hand').toString('base64')}"}}`,
    );
    assert.equal(secret.code, 0, secret.stderr);
    const gone = await kubectl('delete', 'service', 'helix', '-n', 'default');
    assert.equal(gone.code, 0, gone.stderr);

    const drift = await (await engine.startDriftCheck(target)).done;
    assert.equal(drift.run.state, 'Succeeded', drift.run.error);
    const byAddr = new Map(drift.report!.resources.map((r) => [r.address, r]));
    assert.deepEqual([...byAddr.keys()].sort(), [
      'default/Deployment/helix',
      'default/Secret/helix-credentials',
      'default/Service/helix',
    ]);
    assert.deepEqual(
      attributesOf(byAddr.get('default/Deployment/helix')!).map((a) => [a.path.join('.'), a.before, a.after]),
      [['spec.replicas', 2, 5]],
    );
    assert.equal(byAddr.get('default/Service/helix')!.action, 'delete');
    const s = attributesOf(byAddr.get('default/Secret/helix-credentials')!);
    assert.deepEqual(
      s.map((a) => [a.path.join('.'), a.before, a.after]),
      [['data.api-key', SENSITIVE, SENSITIVE]],
    );
    // The history keeps addresses, never values; nothing secret reached the journal.
    const rec = readDriftRecord(journal.get(drift.run.id)!.meta);
    assert.equal(rec?.count, 3);
    const text = fs.readFileSync(path.join(h.dir, 'runs.journal'), 'utf8');
    assert.ok(!text.includes('changed-by-hand') && !text.includes('s3cr3t-api-key-value'));
    // The check changed nothing: the cluster still has the hand edit.
    const after = await kubectl('get', 'deployment', 'helix', '-n', 'default', '-o', 'jsonpath={.spec.replicas}');
    assert.equal(after.stdout.trim(), '5');
  });

  it('refused before any deployment (nothing to compare with), and while a plan of the environment waits for approval', async () => {
    const { engine, target } = setup();
    await assert.rejects(
      engine.startDriftCheck(target),
      (err: unknown) =>
        err instanceof DeployError && err.code === 'not-found' && /has not deployed staging/.test(err.message),
    );
    assert.equal(journal.list({ kind: 'drift' }).length, 0, 'a refused check records nothing');
    await deploy(engine, target);
    const plan = await (await engine.startPlan(target)).done;
    assert.equal(plan.run.state, 'Planned', plan.run.error);
    await assert.rejects(
      engine.startDriftCheck(target),
      (err: unknown) => err instanceof DeployError && err.code === 'busy',
    );
    await engine.discard(plan.run.id);
  });

  it('helix-deploy drift: exit 0 without drift, 2 with drift (text and --json), 1 on error', async () => {
    const dir = path.join(h.dir, 'project');
    fs.mkdirSync(dir);
    fs.cpSync(MANIFESTS, path.join(dir, 'k8s'), { recursive: true });
    fs.writeFileSync(
      path.join(dir, 'helix.toml'),
      '[project]\nname = "demo"\nqueries = "db/"\n\n[local.dev]\nport = 6969\n',
    );
    fs.writeFileSync(
      path.join(dir, 'helix.deploy.toml'),
      `[environments.staging]\nkubernetes = { context = "standin", namespace = "default", manifests = "k8s", image = "helixdb/helix:1.0", kubeconfig = ${JSON.stringify(h.kubeconfig)} }\n` +
        `[environments.broken]\nkubernetes = { context = "nope", namespace = "default", manifests = "k8s", image = "helixdb/helix:1.0", kubeconfig = ${JSON.stringify(h.kubeconfig)} }\n`,
    );
    // Asynchronous: the stand-in API server runs in this process and must keep answering.
    const cli = (...args: string[]) =>
      run(process.execPath, ['--require', require.resolve('tsx/cjs'), CLI, ...args, '--project', dir], {
        env: { ...process.env, HOME: h.dir },
      });
    const deployed = await cli('deploy', 'staging', '--yes');
    assert.equal(deployed.code, 0, deployed.stderr);
    const none = await cli('drift', 'staging', '--quiet');
    assert.equal(none.code, 0, none.stderr);
    assert.match(none.stdout, /No drift\./);

    const p = await kubectl(
      'patch',
      'deployment',
      'helix',
      '-n',
      'default',
      '--type=merge',
      '-p',
      '{"spec":{"replicas":3}}',
    );
    assert.equal(p.code, 0, p.stderr);
    const found = await cli('drift', 'staging', '--quiet');
    assert.equal(found.code, 2, found.stderr);
    assert.match(found.stdout, /default\/Deployment\/helix .*\n\s+spec\.replicas: 2 -> 3/);
    const json = await cli('drift', 'staging', '--json', '--quiet');
    assert.equal(json.code, 2, json.stderr);
    const doc = JSON.parse(json.stdout);
    assert.equal(doc.drifted, 1);
    assert.deepEqual(doc.resources[0].attributes, [{ path: ['spec', 'replicas'], before: 2, after: 3 }]);

    const history = await cli('history', 'staging', '--json');
    assert.equal(history.code, 0, history.stderr);
    assert.ok(
      JSON.parse(history.stdout).some((r: { kind: string }) => r.kind === 'drift'),
      history.stdout,
    );

    const err = await cli('drift', 'broken', '--quiet');
    assert.equal(err.code, 1, err.stdout);
    assert.match(err.stderr, /helix-deploy drift: /);
    assert.equal((await cli('drift')).code, 2);
  });
});
