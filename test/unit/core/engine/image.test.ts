import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DeployRunner } from '../../../../src/core/engine/engine';
import { DeployError } from '../../../../src/core/engine/errors';
import { RunHistory } from '../../../../src/core/engine/history';
import { lastPushedImage, pushedImageFor, usesPushedImage, type DeployImage } from '../../../../src/core/engine/image';
import { LockManager } from '../../../../src/core/engine/locks';
import type { DeployProvider, PlanRequest } from '../../../../src/core/engine/provider';
import type { DeployTarget } from '../../../../src/core/engine/target';
import { emptySummary } from '../../../../src/core/plan/model';
import { renderPlan } from '../../../../src/core/plan/render';

// `${image}` of an environment that pushes is the image last pushed for it, by digest, from the project's
// run history. Real registry + terraform: test/integration/terraform/journey.test.ts.

const tmp = () => fs.mkdtempSync(path.join(process.env.HELIX_TEST_TMP ?? os.tmpdir(), 'image-'));
const digest = (c: string) => `sha256:${c.repeat(64)}`;

function target(dir: string, vars: Record<string, unknown> = { image: '${image}' }, env = 'staging'): DeployTarget {
  return {
    project: { name: 'demo', dir },
    environment: {
      name: env,
      kind: 'terraform',
      source: 'helix.deploy.toml',
      settings: { registry: 'localhost:5000/acme/helixdb', terraform: { dir: 'infra', vars } },
    },
    context: { image: 'localhost:5000/acme/helixdb:dev' },
  };
}

async function push(
  h: RunHistory,
  dir: string,
  env: string,
  state: 'Succeeded' | 'Failed' | 'Cancelled',
  c: string,
  project = 'demo',
): Promise<DeployImage> {
  const image: DeployImage = {
    ref: `localhost:5000/acme/helixdb@${digest(c)}`,
    digest: digest(c),
    repository: 'localhost:5000/acme/helixdb',
    tag: `demo-${env}-abc1234`,
    pushedAt: new Date().toISOString(),
    commit: 'abc1234def',
  };
  const r = await h.begin({
    kind: 'push',
    project,
    projectDir: dir,
    environment: env,
    who: 'me',
    meta: { reference: `${image.repository}:${image.tag}` },
  });
  await h.end(
    r.id,
    state,
    state === 'Failed' ? 'refused' : undefined,
    state === 'Succeeded' ? { image, digest: image.digest, tag: image.tag } : undefined,
  );
  return image;
}

describe('${image} resolves to the image last pushed for the environment (by digest)', () => {
  let h: RunHistory;
  afterEach(() => h?.close());

  it('the latest successful push of that environment and project folder wins; failed and cancelled pushes are ignored', async () => {
    const a = tmp();
    const b = tmp();
    h = await RunHistory.open([a, b]);
    const first = await push(h, a, 'staging', 'Succeeded', '1');
    const second = await push(h, a, 'staging', 'Succeeded', '2');
    await push(h, a, 'staging', 'Failed', '3');
    await push(h, a, 'staging', 'Cancelled', '4');
    await push(h, a, 'prod', 'Succeeded', '5');
    await push(h, b, 'staging', 'Succeeded', '6'); // same project name, another folder
    assert.notDeepEqual(first, second);
    assert.deepEqual(pushedImageFor(h, target(a)), second);
    assert.equal(lastPushedImage(h, 'demo', 'prod', a)?.image.digest, digest('5'));
    assert.equal(pushedImageFor(h, target(b))?.digest, digest('6'));
  });

  it('with no successful push the plan is refused, offering Push Image and the CLI command', async () => {
    const a = tmp();
    h = await RunHistory.open([a]);
    await push(h, a, 'staging', 'Failed', '3');
    assert.throws(
      () => pushedImageFor(h, target(a)),
      (err: unknown) => {
        assert.ok(err instanceof DeployError);
        assert.equal(err.code, 'not-pushed');
        assert.deepEqual(err.actions, ['Push Image']);
        assert.ok(err.message.includes(`helix-deploy push staging --project ${a}`), err.message);
        return true;
      },
    );
  });

  it('a literal image in helix.deploy.toml is used as written; environments that push nothing keep their image', () => {
    assert.equal(usesPushedImage(target('/x', { image: 'ghcr.io/acme/helixdb:1.0' })), false);
    assert.equal(usesPushedImage(target('/x', { image: '${image}' })), true);
    const noRegistry = target('/x');
    noRegistry.environment.settings = { terraform: { dir: 'infra', vars: { image: '${image}' } } };
    assert.equal(usesPushedImage(noRegistry), false);
    const k8s = target('/x');
    k8s.environment.settings = { registry: 'r.example/a', kubernetes: { manifests: 'k8s' } };
    assert.equal(usesPushedImage(k8s), true, 'kubernetes rolls out ${image} when it names no image');
  });

  describe('the engine', () => {
    const planned: Array<Record<string, unknown>> = [];
    const provider: DeployProvider = {
      tool: 'terraform',
      status: async () => ({ state: 'ok', tool: 'terraform', path: 'terraform', message: '', setting: '' }) as never,
      plan: async (req: PlanRequest) => {
        planned.push(req.vars);
        fs.writeFileSync(req.planFile, 'plan');
        return {
          outcome: 'changes',
          binding: true,
          model: {
            source: 'terraform',
            summary: emptySummary(),
            resources: [],
            drift: [],
            outputs: [],
            errored: false,
            diagnostics: [],
          },
        } as never;
      },
      apply: async () => ({ outcome: 'applied' }),
      show: async () => ({}) as never,
    };
    function engine(): DeployRunner {
      return new DeployRunner({
        journal: h,
        locks: (p) => new LockManager(path.join(p.dir, '.helix', 'locks')),
        stateDir: (p) => path.join(p.dir, '.helix'),
        providers: { terraform: provider },
        who: () => 'me',
      });
    }

    it('refuses a plan before anything runs or is recorded when nothing was pushed', async () => {
      const a = tmp();
      h = await RunHistory.open([a]);
      planned.length = 0;
      const e = engine();
      await assert.rejects(
        e.startPlan(target(a)),
        (err: unknown) => err instanceof DeployError && err.code === 'not-pushed',
      );
      assert.equal(planned.length, 0);
      assert.deepEqual(e.list({ projectDir: a }), []);
      await e.dispose();
    });

    it('plans with repo@sha256 and records the image on the run, the plan model and the deployment', async () => {
      const a = tmp();
      h = await RunHistory.open([a]);
      const img = await push(h, a, 'staging', 'Succeeded', '7');
      planned.length = 0;
      const e = engine();
      const snap = await (await e.startPlan(target(a))).done;
      assert.equal(snap.run.state, 'Planned', snap.run.error);
      assert.deepEqual(planned, [{ image: img.ref }]);
      assert.deepEqual(snap.run.meta?.image, img);
      assert.deepEqual(snap.model?.image, img);
      assert.match(
        renderPlan(snap.model!),
        new RegExp(
          `^Image: ${img.ref.replace(/[.]/g, '\\.')} \\(tag demo-staging-abc1234, commit abc1234def, pushed `,
          'm',
        ),
      );
      await e.approve(snap.run.id, snap.planHash!);
      const done = await (await e.startApply(snap.run.id)).done;
      assert.equal(done.run.state, 'Applied');
      const deployed = done.run.meta?.deployed as { vars: Record<string, unknown>; context: Record<string, string> };
      assert.equal(deployed.vars.image, img.ref);
      assert.equal(deployed.context.image, img.ref);
      await e.dispose();
    });
  });
});
