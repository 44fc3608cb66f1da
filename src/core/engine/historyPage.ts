import * as path from 'node:path';
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
 * The newest `shown` runs of the given projects (all projects when there are none), from `list` (newest
 * first), and how many are left. A run belongs to a project by folder; records of earlier versions that name
 * the project only match by name (as isOfProject, with the sets built once for 10,000 runs).
 */
export function historyPage(
  list: () => RunRecord[],
  projects: readonly { name: string; dir: string }[],
  shown: number,
): HistoryPage {
  const all = list();
  const dirs = new Set(projects.map((p) => path.resolve(p.dir)));
  const names = new Set(projects.map((p) => p.name));
  const ofMine = (r: RunRecord) =>
    r.projectDir !== undefined ? dirs.has(r.projectDir) || dirs.has(path.resolve(r.projectDir)) : names.has(r.project);
  const mine = projects.length ? all.filter(ofMine) : all;
  const runs = mine.slice(0, Math.max(0, shown));
  return { runs, more: mine.length - runs.length };
}
