import * as assert from 'node:assert/strict';
import { toPlanView } from '../../../../src/webview/host/session';
import { emptySummary, type PlanModel } from '../../../../src/core/plan/model';
import { checkBudget } from '../../../../src/core/cost/budget';
import type { CostEstimate } from '../../../../src/core/cost/types';

// What the panel gets of an estimate: the same headline and source line as the CLI, and the budget warning as
// its own typed item for the findings above the approval bar.
describe('panel: cost estimate in the plan view', () => {
  const cost: CostEstimate = {
    currency: 'USD',
    sources: [
      { id: 'kubernetes-rates', label: 'Kubernetes requests × rates from helix.deploy.toml [cost.kubernetes]' },
    ],
    totalMonthly: 102.2,
    pastTotalMonthly: 51.1,
    diffMonthly: 51.1,
    resources: [
      { address: 'n/Deployment/helix', source: 'kubernetes-rates', monthly: 102.2, pastMonthly: 51.1 },
      { address: 'n/DaemonSet/agent', note: 'DaemonSet' },
    ],
    notEstimated: ['n/DaemonSet/agent'],
    problems: [{ source: 'infracost', kind: 'missing', message: 'Infracost is not installed' }],
  };
  const model: PlanModel = {
    source: 'kubernetes',
    summary: emptySummary(),
    resources: [],
    drift: [],
    outputs: [],
    errored: false,
    diagnostics: [],
    cost,
    budgetWarning: checkBudget('prod', 100, cost),
  };

  it('carries the headline, sources, problems and the not-estimated addresses', () => {
    const v = toPlanView(model);
    assert.deepEqual(v.cost, {
      headline: '+$51.10/month, total $102.20/month for the estimated resources; 1 resource not estimated',
      sources: 'Kubernetes requests × rates from helix.deploy.toml [cost.kubernetes]',
      problems: ['Infracost is not installed'],
      notEstimated: ['n/DaemonSet/agent'],
    });
    assert.equal(v.budgetWarning?.kind, 'budget');
    assert.match(v.budgetWarning!.message, /over its budget_monthly of \$100\.00/);
  });

  it('a plan without an estimate or within budget has neither', () => {
    const v = toPlanView({ ...model, cost: undefined, budgetWarning: undefined });
    assert.equal(v.cost, undefined);
    assert.equal(v.budgetWarning, undefined);
    assert.equal(toPlanView({ ...model, budgetWarning: checkBudget('prod', 500, cost) }).budgetWarning, undefined);
  });
});
