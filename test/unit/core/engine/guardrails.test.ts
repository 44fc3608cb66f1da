import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DeployRunner } from '../../../../src/core/engine/engine';
import { DeployError } from '../../../../src/core/engine/errors';
import { RunHistory } from '../../../../src/core/engine/history';
import { LockManager } from '../../../../src/core/engine/locks';
import type { DeployProvider, PlanRequest } from '../../../../src/core/engine/provider';
import type { DeployTarget } from '../../../../src/core/engine/target';
import { runSummaryMarkdown } from '../../../../src/core/engine/runSummary';
import { parsePlanDocument } from '../../../../src/core/plan/parse';
import { toJSON } from '../../../../src/core/plan/model';
import { Redactor } from '../../../../src/core/process/redact';

// The engine runs the guardrails on every completed plan: the report is on the model (panel, CLI) and in
// the run record (summary, history), and a deny refuses approve and apply whoever asks.

const PLAN = path.resolve(__dirname, '../../../fixtures/guardrails/tf-open-security-group.json');
const RULE = (effect: string) =>
  `[[guardrails.rules]]\neffect = "${effect}"\ntype = "aws_security_group"\n` +
  `message = "security groups are created by the network team"\n\n[environments.prod]\nterraform = { dir = "infra" }\n`;

describe('engine: guardrails before approval', () => {
  let h: RunHistory;
  let dir: string;
  let engine: DeployRunner;
  const provider: DeployProvider = {
    tool: 'terraform',
    status: async () => ({ state: 'ok', tool: 'terraform', path: 'terraform', version: '1.11.4' }),
    plan: async (req: PlanRequest) => {
      fs.writeFileSync(req.planFile, 'plan');
      return {
        outcome: 'changes',
        binding: true,
        model: parsePlanDocument(fs.readFileSync(PLAN), { redactor: new Redactor() }),
      };
    },
    apply: async () => ({ outcome: 'applied' }),
    show: async () => ({}) as never,
  };
  const target = (): DeployTarget => ({
    project: { name: 'demo', dir },
    environment: {
      name: 'prod',
      kind: 'terraform',
      source: 'helix.deploy.toml',
      settings: { terraform: { dir: 'infra' } },
    },
  });

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(process.env.HELIX_TEST_TMP ?? os.tmpdir(), 'engine-guardrails-'));
    fs.mkdirSync(path.join(dir, 'infra'));
    h = await RunHistory.open([dir]);
    engine = new DeployRunner({
      journal: h,
      locks: (p) => new LockManager(path.join(p.dir, '.helix', 'locks')),
      stateDir: (p) => path.join(p.dir, '.helix'),
      providers: { terraform: provider },
      who: () => 'me',
    });
  });
  afterEach(async () => {
    await engine.dispose();
    h.close();
  });

  it('a deny is on the plan and the run record, refuses approve, and a rule changed to warn lets the next plan through', async () => {
    fs.writeFileSync(path.join(dir, 'helix.deploy.toml'), RULE('deny'));
    const snap = await (await engine.startPlan(target())).done;
    assert.equal(snap.run.state, 'Planned');
    assert.equal(snap.model!.guardrails!.blocked, true);
    assert.match(snap.model!.guardrails!.findings[0].message, /security groups are created by the network team/);
    assert.equal((snap.run.meta!.guardrails as { blocked: boolean }).blocked, true);
    assert.ok(snap.run.log.some((l) => /Guardrails: BLOCKED/.test(typeof l === 'string' ? l : JSON.stringify(l))));
    assert.ok(
      (toJSON(snap.model!) as { guardrails: unknown }).guardrails,
      'show-plan --json / plan --json carry the findings',
    );
    await assert.rejects(
      engine.approve(snap.run.id, snap.planHash!),
      (err: unknown) =>
        err instanceof DeployError && err.code === 'guardrail-denied' && /Blocked by guardrails/.test(err.message),
    );
    assert.equal(h.get(snap.run.id)!.state, 'Planned');
    assert.match(
      runSummaryMarkdown({ run: h.get(snap.run.id)! }),
      /#### Guardrails: blocked\n\n\| Result \| Source \| Finding \|\n\|---\|---\|---\|\n\| deny \| helix\.deploy\.toml \| aws_/,
    );

    fs.writeFileSync(path.join(dir, 'helix.deploy.toml'), RULE('warn'));
    const again = await (await engine.replan(snap.run.id)).done;
    assert.equal(again.model!.guardrails!.blocked, false);
    const approved = await engine.approve(again.run.id, again.planHash!);
    assert.equal(approved.run.state, 'Approved');
    const applied = await (await engine.startApply(again.run.id)).done;
    assert.equal(applied.run.state, 'Applied');
  });

  it('a rule tightened to deny after the plan was reviewed refuses approve: the finding is on the plan and the record, nothing applied', async () => {
    fs.writeFileSync(path.join(dir, 'helix.deploy.toml'), RULE('warn'));
    const snap = await (await engine.startPlan(target())).done;
    assert.equal(snap.model!.guardrails!.blocked, false);
    fs.writeFileSync(path.join(dir, 'helix.deploy.toml'), RULE('deny'));
    await assert.rejects(
      engine.approve(snap.run.id, snap.planHash!),
      (err: unknown) => err instanceof DeployError && err.code === 'guardrail-denied',
    );
    assert.equal(h.get(snap.run.id)!.state, 'Planned');
    assert.equal(engine.snapshot(snap.run.id)!.model!.guardrails!.blocked, true, 'the panel shows why');
    assert.equal((h.get(snap.run.id)!.meta!.guardrails as { blocked: boolean }).blocked, true, 'the record too');
    await assert.rejects(engine.startApply(snap.run.id));
  });

  it('a helix.deploy.toml broken after the review refuses approve too: a rule that is not understood is never skipped', async () => {
    fs.writeFileSync(path.join(dir, 'helix.deploy.toml'), RULE('warn'));
    const snap = await (await engine.startPlan(target())).done;
    assert.equal(snap.model!.guardrails!.blocked, false);
    fs.writeFileSync(path.join(dir, 'helix.deploy.toml'), RULE('deny').replace('effect = "deny"', 'effect = "maybe"'));
    await assert.rejects(
      engine.approve(snap.run.id, snap.planHash!),
      (err: unknown) => err instanceof DeployError && err.code === 'guardrail-denied',
    );
    assert.equal(h.get(snap.run.id)!.state, 'Planned');
  });
});
