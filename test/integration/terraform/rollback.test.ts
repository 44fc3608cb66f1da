import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { attributesOf } from '../../../src/core/plan/model';
import { DeployError } from '../../../src/core/engine/errors';
import type { DeployedRecord } from '../../../src/core/engine/rollback';
import { CANARY, deploy, harness, terraformAvailable, type Harness } from './harness';

// Rollback as a planned run with real terraform: every apply records the (non-secret) variables it used;
// a rollback re-plans with those of the previous successful deployment and is approved and applied like
// any plan. The secret variable (db_password, from ${env:...}) is never recorded, so it cannot be replayed.

const TF = `
resource "terraform_data" "app" { input = var.image }
resource "terraform_data" "secret_user" { input = var.db_password }
output "image" { value = var.image }
`;

describe('terraform rollback as a planned run (real terraform)', function () {
  this.timeout(120_000);
  const open: Harness[] = [];
  before(terraformAvailable);
  afterEach(async () => {
    for (const h of open.splice(0)) await h.close();
  });
  const make = async (name: string) => {
    const h = await harness(name);
    open.push(h);
    h.writeTf(TF);
    return h;
  };
  const withImage = (h: Harness, image: string) => ({ ...h.target(), context: { image } });

  it('apply v1, apply v2, rollback plans v1 back; approve; apply; journaled as kind rollback; no secret leaks', async () => {
    const h = await make('rollback');
    assert.equal(h.engine.canRollback(h.target()), false);
    const v1 = await deploy(h, withImage(h, 'ghcr.io/acme/helixdb:v1'));
    const rec = h.journal.get(v1.run.id)!.meta!.deployed as DeployedRecord;
    assert.deepEqual(rec.vars, { image: 'ghcr.io/acme/helixdb:v1' }, 'vars recorded without the secret');
    assert.deepEqual(rec.secretVars, ['db_password']);
    assert.equal(h.engine.canRollback(h.target()), false, 'one deployment: nothing earlier to go back to');
    await deploy(h, withImage(h, 'ghcr.io/acme/helixdb:v2'));
    assert.equal(h.engine.canRollback(h.target()), true);

    const plan = await (await h.engine.planRollback(h.target())).done;
    assert.equal(plan.run.kind, 'rollback');
    assert.equal(plan.run.state, 'Planned', plan.run.error);
    assert.equal(plan.run.meta?.rollbackTo, v1.run.id);
    const app = plan.model!.resources.find((r) => r.address === 'terraform_data.app')!;
    assert.ok(app, 'the app resource is in the plan');
    const input = attributesOf(app).find((a) => a.path[0] === 'input')!;
    assert.equal(input.before, 'ghcr.io/acme/helixdb:v2');
    assert.equal(input.after, 'ghcr.io/acme/helixdb:v1');
    assert.ok(
      !plan.model!.resources.some((r) => r.address === 'terraform_data.secret_user' && r.action !== 'no-op'),
      'the secret keeps its current value',
    );
    assert.ok(
      plan.model!.notices?.some((n) =>
        /"db_password" was secret .* cannot be replayed: its current value is used/.test(n),
      ),
      String(plan.model!.notices),
    );
    assert.ok(
      plan.run.log.some(
        (l) => l.includes(`to the deployment of run ${v1.run.id}`) && l.includes('image ghcr.io/acme/helixdb:v1'),
      ),
    );

    await h.engine.approve(plan.run.id, plan.planHash!);
    const done = await (await h.engine.startApply(plan.run.id)).done;
    assert.equal(done.run.state, 'Applied', done.run.error);
    assert.deepEqual(done.run.meta?.outputs, { image: 'ghcr.io/acme/helixdb:v1' });
    const out = h.tf(['output', '-raw', 'image']);
    assert.equal(out.stdout.trim(), 'ghcr.io/acme/helixdb:v1');
    // The rollback is itself a deployment: rolling back again returns to v2.
    assert.equal(
      (h.journal.get(done.run.id)!.meta!.deployed as DeployedRecord).context.image,
      'ghcr.io/acme/helixdb:v1',
    );
    const again = await (await h.engine.planRollback(h.target())).done;
    assert.equal(
      attributesOf(again.model!.resources.find((r) => r.address === 'terraform_data.app')!).find(
        (a) => a.path[0] === 'input',
      )!.after,
      'ghcr.io/acme/helixdb:v2',
    );
    await h.engine.discard(again.run.id);
    assert.ok(!JSON.stringify(h.journal.list()).includes(CANARY), 'canary in the run records');
    assert.ok(!fs.readFileSync(h.journalFile, 'utf8').includes(CANARY), 'canary in the journal file');
  });

  it('refuses clearly when there is no earlier successful deployment, and records nothing', async () => {
    const h = await make('norollback');
    await assert.rejects(
      h.engine.planRollback(h.target()),
      (e: unknown) =>
        e instanceof DeployError &&
        e.code === 'not-found' &&
        /Nothing to roll back to: staging has no successful deployment/.test(e.message),
    );
    const v1 = await deploy(h, withImage(h, 'ghcr.io/acme/helixdb:v1'));
    await assert.rejects(
      h.engine.planRollback(h.target()),
      (e: unknown) =>
        e instanceof DeployError && new RegExp(`only one successful deployment \\(run ${v1.run.id}`).test(e.message),
    );
    assert.equal(h.engine.list({ environment: 'staging' }).filter((r) => r.kind === 'rollback').length, 0);
    // The refusal took no lock: a normal plan still runs.
    const p = await (await h.engine.startPlan(h.target())).done;
    assert.equal(p.run.state, 'Planned', p.run.error);
  });
});
