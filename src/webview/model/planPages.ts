// Large plans reach the panel in pages: the first message carries the summary and the first changes in display
// order, so the webview paints at once; the rest follows in page messages the app appends as they come.
// Cloning 50,000 resource objects into the webview at once costs over a second before anything is shown.

import type { PlanView, ResourceView } from '../protocol';
import { compareDisplay } from './planRows';

/** Changes in the first message: a screenful many times over, cheap to clone. */
export const PLAN_FIRST_PAGE = 1_000;
/** Changes per following page message. */
export const PLAN_PAGE = 10_000;

export interface PagedPlan {
  /** The view to post first: `pending` changes are still to come, in `pages`. */
  first: PlanView;
  pages: ResourceView[][];
}

/** Splits a view into a first message and pages; a plan that fits in the first page is returned whole. */
export function pagePlan(view: PlanView, pageId: string, first = PLAN_FIRST_PAGE, size = PLAN_PAGE): PagedPlan {
  if (view.resources.length <= first) return { first: view, pages: [] };
  // Display order, so the first page is the top of the list and later pages only add below what is seen.
  const sorted = [...view.resources].sort(compareDisplay);
  const pages: ResourceView[][] = [];
  for (let i = first; i < sorted.length; i += size) pages.push(sorted.slice(i, i + size));
  return { first: { ...view, resources: sorted.slice(0, first), pending: sorted.length - first, pageId }, pages };
}
