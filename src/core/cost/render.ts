import type { BudgetWarning, CostEstimate } from './types';

// The estimate as text (CLI), Markdown (run summary) and one header line (panel): the same words everywhere.

export function formatMoney(n: number, currency = 'USD'): string {
  const abs = Math.abs(n).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const sign = n < 0 ? '-' : '';
  return currency === 'USD' ? `${sign}$${abs}` : `${sign}${abs} ${currency}`;
}

function signed(n: number, currency: string): string {
  return `${n > 0 ? '+' : ''}${formatMoney(n, currency)}`;
}

/** "+$12.40/month (total $130.00/month; 2 resources not estimated)" or why there is no figure. */
export function costHeadline(e: CostEstimate): string {
  const n = e.notEstimatedCount ?? e.notEstimated.length;
  const rest = n ? `${n} resource${n === 1 ? '' : 's'} not estimated` : '';
  if (e.totalMonthly === undefined) return `not estimated${n ? ` (${rest})` : ''}`;
  const delta = e.diffMonthly !== undefined ? `${signed(e.diffMonthly, e.currency)}/month, ` : '';
  return `${delta}total ${formatMoney(e.totalMonthly, e.currency)}/month${n ? ` for the estimated resources; ${rest}` : ''}`;
}

export function costSourcesLine(e: CostEstimate): string {
  return e.sources.length ? e.sources.map((s) => s.label).join('; ') : 'no source';
}

/** Text block for the CLI (after the plan summary). */
export function renderCost(e: CostEstimate, budget?: BudgetWarning): string {
  const out = [`Cost: ${costHeadline(e)}`, `  sources: ${costSourcesLine(e)}`];
  for (const p of e.problems) out.push(`  ${p.kind === 'missing' ? 'note' : 'error'}: ${p.message}`);
  for (const r of e.resources) {
    if (r.monthly === undefined) out.push(`  ${r.address}: not estimated (${r.note ?? 'no source'})`);
    else if (r.monthly !== r.pastMonthly)
      out.push(
        `  ${r.address}: ${formatMoney(r.monthly, e.currency)}/month (was ${formatMoney(r.pastMonthly ?? 0, e.currency)})${r.note ? ` · ${r.note}` : ''}`,
      );
  }
  if (budget) out.push(`WARNING: ${budget.message}`);
  return out.join('\n');
}

/** Markdown section for the run summary (names and figures only). */
export function costMarkdown(
  e: CostEstimate,
  budget: BudgetWarning | undefined,
  cell: (s: string) => string,
): string[] {
  const out = ['', '#### Cost estimate', '', `${cell(costHeadline(e))} · sources: ${cell(costSourcesLine(e))}`];
  if (budget) out.push('', `> ⚠️ ${cell(budget.message)}`);
  for (const p of e.problems) out.push('', `> ${cell(p.message)}`);
  const rows = e.resources.filter((r) => r.monthly === undefined || r.monthly !== r.pastMonthly);
  if (rows.length) {
    out.push('', '| Resource | Monthly | Before | Source |', '|---|---|---|---|');
    for (const r of rows.slice(0, 50)) {
      out.push(
        `| \`${cell(r.address)}\` | ${r.monthly === undefined ? 'not estimated' : formatMoney(r.monthly, e.currency)} | ${r.pastMonthly === undefined ? '' : formatMoney(r.pastMonthly, e.currency)} | ${r.source ?? cell(r.note ?? '')} |`,
      );
    }
    if (rows.length > 50) out.push('', `…and ${rows.length - 50} more.`);
  }
  return out;
}
