import { formatMoney } from './render';
import type { BudgetWarning, CostEstimate } from './types';

// `budget_monthly` of an environment in helix.deploy.toml: an estimate over it is a warning at approval (it
// never blocks: an estimate is not a bill). With parts not estimated the total is a lower bound, and a lower
// bound over the budget is still over it; under the budget, it proves nothing, so no "within budget" is claimed.

export function budgetOf(settings: Record<string, unknown> | undefined): number | undefined {
  const b = settings?.budget_monthly;
  return typeof b === 'number' && Number.isFinite(b) && b >= 0 ? b : undefined;
}

export function checkBudget(
  environment: string,
  budget: number | undefined,
  estimate: CostEstimate | undefined,
): BudgetWarning | undefined {
  if (budget === undefined || estimate?.totalMonthly === undefined || estimate.totalMonthly <= budget) return undefined;
  const n = estimate.notEstimatedCount ?? estimate.notEstimated.length;
  const partial = n ? ` (and ${n} resource${n === 1 ? ' is' : 's are'} not estimated)` : '';
  return {
    kind: 'budget',
    severity: 'warning',
    environment,
    budgetMonthly: budget,
    estimateMonthly: estimate.totalMonthly,
    currency: estimate.currency,
    message: `Estimated ${formatMoney(estimate.totalMonthly, estimate.currency)}/month for ${environment} is over its budget_monthly of ${formatMoney(budget, estimate.currency)}${partial}.`,
  };
}
