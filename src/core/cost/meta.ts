import type { PlanModel } from '../plan/model';
import type { BudgetWarning, CostEstimate, CostSource } from './types';

// What a run records of its estimate (run meta, in the shared history): the totals, the sources and the budget
// warning, so a summary copied later from the history still shows them. Per-resource figures stay in the model.

export interface RecordedCost {
  currency: string;
  totalMonthly?: number;
  pastTotalMonthly?: number;
  diffMonthly?: number;
  sources: CostSource[];
  notEstimated: number;
}

export function costMeta(model: PlanModel | undefined): { cost?: RecordedCost; budgetWarning?: BudgetWarning } {
  const e = model?.cost;
  if (!e) return {};
  const cost: RecordedCost = {
    currency: e.currency,
    totalMonthly: e.totalMonthly,
    pastTotalMonthly: e.pastTotalMonthly,
    diffMonthly: e.diffMonthly,
    sources: e.sources,
    notEstimated: e.notEstimated.length,
  };
  return { cost, ...(model?.budgetWarning ? { budgetWarning: model.budgetWarning } : {}) };
}

/** The recorded cost back as an estimate without per-resource rows (for summaries from the history). */
export function recordedEstimate(meta: Record<string, unknown> | undefined): {
  estimate?: CostEstimate;
  budget?: BudgetWarning;
} {
  const c = meta?.cost as Partial<RecordedCost> | undefined;
  if (!c || typeof c !== 'object' || typeof c.currency !== 'string') return {};
  const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  const estimate: CostEstimate = {
    currency: c.currency,
    totalMonthly: n(c.totalMonthly),
    pastTotalMonthly: n(c.pastTotalMonthly),
    diffMonthly: n(c.diffMonthly),
    sources: (Array.isArray(c.sources) ? c.sources : []).filter((s) => s && typeof s.label === 'string'),
    resources: [],
    notEstimated: [],
    notEstimatedCount: n(c.notEstimated) ?? 0,
    problems: [],
  };
  const b = meta?.budgetWarning as BudgetWarning | undefined;
  return { estimate, budget: b && b.kind === 'budget' && typeof b.message === 'string' ? b : undefined };
}
