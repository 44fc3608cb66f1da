import * as assert from 'node:assert/strict';
import { budgetOf, checkBudget } from '../../../../src/core/cost/budget';
import type { CostEstimate } from '../../../../src/core/cost/types';
import { runSummaryMarkdown } from '../../../../src/core/engine/runSummary';
import { costMeta } from '../../../../src/core/cost/meta';
import { emptySummary, type PlanModel } from '../../../../src/core/plan/model';
import type { RunRecord } from '../../../../src/core/engine/records';
import { validateConfig } from '../../../../src/core/config/validate';
import { hover } from '../../../../src/core/config/assist/hover';

const estimate = (total: number | undefined, notEstimated: string[] = []): CostEstimate => ({
  currency: 'USD',
  sources: [{ id: 'fly-prices', label: 'Fly.io price table of 2026-12-05' }],
  totalMonthly: total,
  pastTotalMonthly: total === undefined ? undefined : 0,
  diffMonthly: total,
  resources: [
    { address: 'fly_machine.db', source: 'fly-prices', monthly: total, pastMonthly: 0 },
    ...notEstimated.map((a) => ({ address: a, note: 'no source prices this resource type' })),
  ],
  notEstimated,
  problems: [],
});

describe('cost: budget_monthly', () => {
  it('an estimate over the budget is a typed warning naming both figures', () => {
    const w = checkBudget('staging', 100, estimate(124));
    assert.deepEqual(w, {
      kind: 'budget',
      severity: 'warning',
      environment: 'staging',
      budgetMonthly: 100,
      estimateMonthly: 124,
      currency: 'USD',
      message: 'Estimated $124.00/month for staging is over its budget_monthly of $100.00.',
    });
  });

  it('within budget, no budget, or no estimate: no warning (nothing is claimed)', () => {
    assert.equal(checkBudget('s', 200, estimate(124)), undefined);
    assert.equal(checkBudget('s', 124, estimate(124)), undefined);
    assert.equal(checkBudget('s', undefined, estimate(124)), undefined);
    assert.equal(checkBudget('s', 10, estimate(undefined, ['x'])), undefined);
  });

  it('a partial estimate over the budget still warns, saying it is a lower bound', () => {
    assert.match(checkBudget('s', 100, estimate(124, ['fly_ip.ip']))!.message, /\(and 1 resource is not estimated\)/);
  });

  it('budget_monthly: a number >= 0 from the environment; the schema refuses others with a clear message', () => {
    assert.equal(budgetOf({ budget_monthly: 250 }), 250);
    assert.equal(budgetOf({ budget_monthly: '250' }), undefined);
    const bad = validateConfig('[environments.s]\nregistry = "ghcr.io/a/b"\nbudget_monthly = -5\n', { kind: 'deploy' });
    assert.ok(
      bad.diagnostics.some((d) => d.message === 'invalid value: integer `-5`, expected a number from 0 or more'),
      JSON.stringify(bad.diagnostics),
    );
    const wrong = validateConfig('[environments.s]\nregistry = "ghcr.io/a/b"\nbudget_monthly = "lots"\n', {
      kind: 'deploy',
    });
    assert.ok(
      wrong.diagnostics.some((d) => d.severity === 'error' && /number/.test(d.message)),
      JSON.stringify(wrong.diagnostics),
    );
    const ok = validateConfig(
      '[environments.s]\nregistry = "ghcr.io/a/b"\nbudget_monthly = 99.5\n\n[cost.kubernetes]\ncpu_core_hour = 0.03\n',
      { kind: 'deploy' },
    );
    assert.deepEqual(
      ok.diagnostics.filter((d) => d.severity === 'error'),
      [],
    );
    const typo = validateConfig('[cost.kubernetes]\ncpu_hour = 0.03\n', { kind: 'deploy' });
    assert.ok(
      typo.diagnostics.some((d) => d.severity === 'error' && /cpu_hour/.test(d.message)),
      JSON.stringify(typo.diagnostics),
    );
  });
});

describe('cost: editing helix.deploy.toml', () => {
  it('hover documents budget_monthly and the Kubernetes rates', () => {
    const t =
      '[environments.s]\nregistry = "ghcr.io/a/b"\nbudget_monthly = 200\n\n[cost.kubernetes]\ncpu_core_hour = 0.03\n';
    assert.match(
      hover(t, t.indexOf('budget_monthly') + 2, { kind: 'deploy', generation: 'v3.4' })!.markdown,
      /Monthly budget of this environment, in US dollars/,
    );
    assert.match(
      hover(t, t.indexOf('cpu_core_hour') + 2, { kind: 'deploy', generation: 'v3.4' })!.markdown,
      /requested CPU core per hour/,
    );
  });
});

describe('cost: in the run summary', () => {
  const run: RunRecord = {
    id: 'r1',
    kind: 'plan',
    project: 'demo',
    environment: 'staging',
    who: 'Ann',
    startedAt: '2026-12-05T21:00:00.000Z',
    updatedAt: '2026-12-05T21:01:00.000Z',
    state: 'Planned',
    log: [],
  } as unknown as RunRecord;
  const model: PlanModel = {
    source: 'terraform',
    summary: { ...emptySummary(), create: 1 },
    resources: [],
    drift: [],
    outputs: [],
    errored: false,
    diagnostics: [],
    cost: estimate(124, ['fly_ip.ip']),
    budgetWarning: checkBudget('staging', 100, estimate(124, ['fly_ip.ip'])),
  };

  it('shows the estimate, its sources, the not-estimated resources and the budget warning', () => {
    const md = runSummaryMarkdown({ run, model });
    assert.match(
      md,
      /#### Cost estimate\n\n\+\$124\.00\/month, total \$124\.00\/month for the estimated resources; 1 resource not estimated · sources: Fly\.io price table of 2026-12-05/,
    );
    assert.match(md, /> ⚠️ Estimated \$124\.00\/month for staging is over its budget_monthly of \$100\.00/);
    assert.match(md, /\| `fly_ip\.ip` \| not estimated \|/);
  });

  it('from the run history alone (recorded meta), the totals and the warning still show', () => {
    const md = runSummaryMarkdown({ run: { ...run, meta: JSON.parse(JSON.stringify(costMeta(model))) } });
    assert.match(
      md,
      /\+\$124\.00\/month, total \$124\.00\/month for the estimated resources; 1 resource not estimated · sources: Fly\.io price table/,
    );
    assert.match(md, /over its budget_monthly of \$100\.00/);
  });

  it('a run without an estimate has no cost section', () => {
    assert.doesNotMatch(runSummaryMarkdown({ run }), /Cost estimate/);
  });
});
