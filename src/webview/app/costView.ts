// The cost estimate in the plan header, and the budget warning above the approval bar. The texts come from
// the host (src/core/cost/render.ts), so the panel, the CLI and the run summary say the same thing.

import type { PlanView } from '../protocol';
import { clear, h } from './dom';

export function costMessage(p: PlanView): HTMLElement | undefined {
  const c = p.cost;
  if (!c) return undefined;
  const el = h(
    'div',
    {
      class: 'msg msg-info plan-cost',
      id: 'plan-cost',
      title: c.notEstimated.length ? `Not estimated: ${c.notEstimated.join(', ')}` : null,
    },
    h('strong', {}, 'Cost: '),
    c.headline,
    h('div', { class: 'plan-cost-sources', id: 'plan-cost-sources' }, `Sources: ${c.sources}`),
  );
  for (const m of c.problems) el.append(h('div', { class: 'plan-cost-problem' }, m));
  return el;
}

/** Findings of the cost check shown above the approval bar (empty when within budget or unbudgeted). */
export class CostFindings {
  readonly el = h('div', { class: 'approval-findings', id: 'cost-findings', role: 'status', hidden: true });

  update(p: PlanView | undefined): void {
    clear(this.el);
    const w = p?.budgetWarning;
    this.el.hidden = !w;
    if (w)
      this.el.append(
        h('div', { class: 'msg msg-warning', 'data-finding': w.kind }, h('strong', {}, 'Over budget: '), w.message),
      );
  }
}
