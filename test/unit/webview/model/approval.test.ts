import assert from 'node:assert/strict';
import { emptySummary } from '../../../../src/core/plan/model';
import { approvalState, expiresIn } from '../../../../src/webview/model/approval';
import { duration, steps } from '../../../../src/webview/model/stepper';
import type { PlanView, RunView } from '../../../../src/webview/protocol';
import { ENV } from '../fixtures';

const NOW = 1_800_000_000_000;
const plan = (s: Partial<ReturnType<typeof emptySummary>> = {}, errored = false): PlanView => ({
  source: 'terraform',
  summary: { ...emptySummary(), create: 1, ...s },
  resources: [],
  drift: [],
  outputs: [],
  errored,
  diagnostics: [],
  notices: [],
});
const run = (state: string, extra: Partial<RunView> = {}): RunView => ({
  id: 'r1',
  kind: 'plan',
  state,
  startedBy: 'me',
  startedAt: NOW - 1000,
  updatedAt: NOW,
  transitions: [
    { state: 'Planning', at: NOW - 1000 },
    { state, at: NOW },
  ],
  planHash: 'h',
  expiresAt: NOW + 60_000,
  ...extra,
});

describe('approval rule', () => {
  it('is disabled while planning, with a reason', () => {
    const a = approvalState(ENV, run('Planning', { planHash: undefined }), undefined, NOW);
    assert.equal(a.enabled, false);
    assert.equal(a.visible, true);
    assert.match(a.reason!, /Planning/);
  });
  it('is enabled for a completed, unexpired plan with a hash', () => {
    const a = approvalState(ENV, run('Planned'), plan(), NOW);
    assert.equal(a.enabled, true);
    assert.equal(a.needsConfirmation, false);
    assert.equal(a.what, '1 to create');
  });
  it('is disabled for failed, errored, hashless and expired plans', () => {
    assert.equal(approvalState(ENV, run('PlanFailed'), plan(), NOW).enabled, false);
    assert.equal(approvalState(ENV, run('Planned'), plan({}, true), NOW).enabled, false);
    assert.equal(approvalState(ENV, run('Planned', { planHash: undefined }), plan(), NOW).enabled, false);
    const exp = approvalState(ENV, run('Planned', { expiresAt: NOW - 1 }), plan(), NOW);
    assert.equal(exp.enabled, false);
    assert.equal(exp.expired, true);
    assert.equal(approvalState(ENV, run('Expired'), plan(), NOW).expired, true);
  });
  it('needs the environment name typed for destroys, replaces and protected environments', () => {
    for (const [env, p] of [
      [ENV, plan({ delete: 1 })],
      [ENV, plan({ replace: 2 })],
      [{ ...ENV, protected: true }, plan()],
    ] as const) {
      const a = approvalState(env, run('Planned'), p, NOW, '');
      assert.equal(a.needsConfirmation, true);
      assert.equal(a.enabled, false);
      assert.equal(approvalState(env, run('Planned'), p, NOW, 'Staging').enabled, false, 'case matters');
      assert.equal(approvalState(env, run('Planned'), p, NOW, 'staging').enabled, true);
    }
  });
  it('is hidden after approval (the apply view takes over)', () => {
    assert.equal(approvalState(ENV, run('Applying'), plan(), NOW).visible, false);
  });
  it('formats expiry', () => {
    assert.equal(expiresIn(NOW + 29 * 60_000, NOW), 'in 29 min');
    assert.equal(expiresIn(NOW + 40_000, NOW), 'in 40 s');
    assert.equal(expiresIn(NOW - 1, NOW), 'expired');
  });
});

describe('run stepper', () => {
  it('walks the plan states', () => {
    const s = steps(run('Applying'));
    assert.deepEqual(
      s.map((x) => x.status),
      ['done', 'done', 'done', 'done', 'current', 'todo'],
    );
  });
  it('puts failures where they happened', () => {
    assert.deepEqual(
      steps(run('PlanFailed'))
        .map((x) => `${x.label}:${x.status}`)
        .slice(1, 4),
      ['Planning:done', 'PlanFailed:failed', 'Approved:todo'],
    );
    const c = steps(
      run('Cancelled', {
        transitions: [
          { state: 'Planning', at: 1 },
          { state: 'Planned', at: 2 },
          { state: 'Approved', at: 3 },
          { state: 'Applying', at: 4 },
          { state: 'Cancelled', at: 5 },
        ],
      }),
    );
    assert.equal(c.find((x) => x.status === 'failed')!.label, 'Cancelled');
    assert.equal(
      c.findIndex((x) => x.status === 'failed'),
      5,
    );
  });
  it('shows Unhealthy (applied, health check failed) in the Applied step, everything before it done', () => {
    assert.deepEqual(
      steps(run('Unhealthy')).map((x) => `${x.label}:${x.status}`),
      ['Draft:done', 'Planning:done', 'Planned:done', 'Approved:done', 'Applying:done', 'Unhealthy:failed'],
    );
  });
  it('shows a plan saved for a later apply as done up to Saved, not as a failure', () => {
    assert.deepEqual(
      steps(run('Saved')).map((x) => `${x.label}:${x.status}`),
      ['Draft:done', 'Planning:done', 'Planned:done', 'Saved:done', 'Applying:todo', 'Applied:todo'],
    );
  });
  it('marks Applied as done and handles simple runs', () => {
    assert.ok(steps(run('Applied')).every((x) => x.status === 'done'));
    assert.deepEqual(
      steps(run('Running', { transitions: [{ state: 'Running', at: 1 }] })).map((x) => x.label),
      ['Running', 'Succeeded'],
    );
  });
  it('formats durations', () => {
    assert.equal(duration(820), '820 ms');
    assert.equal(duration(65_000), '1m 05s');
  });
});
