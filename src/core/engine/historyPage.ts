import type { RunRecord } from './records';

// The run history as the Deployments view shows it: a page of the newest runs and a "Show more" row, never
// 10,000 tree items at once. Each "Show more" adds a page.

export const HISTORY_PAGE = 50;

export interface HistoryPage {
  runs: RunRecord[];
  /** Runs of these projects older than the page (what "Show more" leads to). */
  more: number;
}

/**
 * The newest `shown` runs of the given projects (all projects when the set is empty), from `list` (newest
 * first), and how many are left.
 */
export function historyPage(list: () => RunRecord[], projects: ReadonlySet<string>, shown: number): HistoryPage {
  const all = list();
  const mine = projects.size ? all.filter((r) => projects.has(r.project)) : all;
  const runs = mine.slice(0, Math.max(0, shown));
  return { runs, more: mine.length - runs.length };
}
