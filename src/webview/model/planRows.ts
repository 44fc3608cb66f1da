// The plan view as one flat list of fixed-height rows, so the app can virtualise it (only the rows on screen
// exist in the DOM). Grouping: section (changes / drift / outputs) -> module -> type -> resource -> attribute rows.
// indexPlan() sorts once per plan; flattenPlan() runs on every filter/expand and is O(visible groups + rows).

import type { ChangeAction, OutputChange } from '../../core/plan/model';
import type { PlanView, ResourceView } from '../protocol';
import type { DiffRow } from './diff';
import { inlineText } from './format';

export type Section = 'resources' | 'drift';

export interface TypeGroup {
  id: string;
  section: Section;
  module: string | undefined;
  type: string;
  resources: ResourceView[];
}

export interface ModuleGroup {
  id: string;
  section: Section;
  module: string | undefined;
  types: TypeGroup[];
  count: number;
}

export interface PlanIndex {
  resources: ModuleGroup[];
  drift: ModuleGroup[];
  outputs: OutputChange[];
}

export type PlanRow =
  | { kind: 'section'; id: string; section: Section | 'outputs'; label: string; count: number; collapsed: boolean }
  | {
      kind: 'module';
      id: string;
      section: Section;
      label: string;
      count: number;
      collapsed: boolean;
      actions: ActionCounts;
    }
  | {
      kind: 'type';
      id: string;
      section: Section;
      label: string;
      count: number;
      collapsed: boolean;
      actions: ActionCounts;
    }
  | { kind: 'resource'; id: string; section: Section; resource: ResourceView; expanded: boolean; level: number }
  | { kind: 'attr'; id: string; address: string; row: DiffRow }
  | { kind: 'loading'; id: string; address: string }
  | { kind: 'empty'; id: string; label: string }
  | { kind: 'output'; id: string; output: OutputChange; before: string; after: string };

export type ActionCounts = Partial<Record<ChangeAction, number>>;

export interface PlanFilter {
  /** Shown actions; empty = every action except no-op/read (the changes that matter). */
  actions: ReadonlySet<ChangeAction>;
  /** Case-insensitive substring of the address. */
  search: string;
  /** Show no-op and read rows too. */
  showAll: boolean;
}

export interface PlanUiState {
  filter: PlanFilter;
  /** Ids of collapsed sections/groups. */
  collapsed: ReadonlySet<string>;
  /** Keys `${section}:${address}` of expanded resources. */
  expanded: ReadonlySet<string>;
  /** Built attribute rows per expanded key (undefined = still loading from the host). */
  details: ReadonlyMap<string, DiffRow[]>;
}

export const ROOT_MODULE = '(root module)';
const QUIET: ReadonlySet<ChangeAction> = new Set<ChangeAction>(['no-op', 'read']);

export function resourceKey(section: Section, address: string): string {
  return `${section}:${address}`;
}

export function indexPlan(plan: PlanView): PlanIndex {
  return { resources: group('resources', plan.resources), drift: group('drift', plan.drift), outputs: plan.outputs };
}

function group(section: Section, list: readonly ResourceView[]): ModuleGroup[] {
  const byModule = new Map<string, Map<string, ResourceView[]>>();
  for (const r of list) {
    const m = r.module ?? '';
    let types = byModule.get(m);
    if (!types) byModule.set(m, (types = new Map()));
    const t = r.mode === 'data' ? `data.${r.type}` : r.type;
    let rs = types.get(t);
    if (!rs) types.set(t, (rs = []));
    rs.push(r);
  }
  // Root module first, then modules by name; types by name; resources by address (stable across re-plans).
  const modules = [...byModule.keys()].sort((a, b) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : a > b ? 1 : 0));
  return modules.map((m) => {
    const types = byModule.get(m)!;
    const tgs = [...types.keys()].sort().map((t) => ({
      id: `${section}|${m}|${t}`,
      section,
      module: m || undefined,
      type: t,
      resources: types.get(t)!.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0)),
    }));
    return {
      id: `${section}|${m}`,
      section,
      module: m || undefined,
      types: tgs,
      count: tgs.reduce((n, t) => n + t.resources.length, 0),
    };
  });
}

/** The order the list shows resources in: root module first, then modules, types and addresses by name. */
export function compareDisplay(a: ResourceView, b: ResourceView): number {
  const ma = a.module ?? '';
  const mb = b.module ?? '';
  if (ma !== mb) return ma === '' ? -1 : mb === '' ? 1 : ma < mb ? -1 : 1;
  const ta = a.mode === 'data' ? `data.${a.type}` : a.type;
  const tb = b.mode === 'data' ? `data.${b.type}` : b.type;
  if (ta !== tb) return ta < tb ? -1 : 1;
  return a.address < b.address ? -1 : a.address > b.address ? 1 : 0;
}

export function matches(r: ResourceView, f: PlanFilter): boolean {
  if (f.actions.size > 0 ? !f.actions.has(r.action) : !f.showAll && QUIET.has(r.action)) return false;
  if (f.search && !r.address.toLowerCase().includes(f.search.toLowerCase())) return false;
  return true;
}

export function flattenPlan(index: PlanIndex, ui: PlanUiState): PlanRow[] {
  const rows: PlanRow[] = [];
  emitSection(rows, 'resources', 'Resource changes', index.resources, ui);
  if (index.drift.length) emitSection(rows, 'drift', 'Changed outside (drift)', index.drift, ui, true);
  const outs = index.outputs.filter((o) => ui.filter.showAll || o.action !== 'no-op');
  if (outs.length) {
    const id = 'section|outputs';
    const collapsed = ui.collapsed.has(id);
    rows.push({ kind: 'section', id, section: 'outputs', label: 'Outputs', count: outs.length, collapsed });
    if (!collapsed)
      for (const o of outs)
        rows.push({
          kind: 'output',
          id: `output|${o.name}`,
          output: o,
          before: o.before === undefined ? '' : inlineText(o.sensitive ? '(sensitive)' : o.before),
          after: o.unknown
            ? '(known after apply)'
            : o.after === undefined
              ? ''
              : inlineText(o.sensitive ? '(sensitive)' : o.after),
        });
  }
  return rows;
}

function emitSection(
  rows: PlanRow[],
  section: Section,
  label: string,
  modules: ModuleGroup[],
  ui: PlanUiState,
  driftAll = false,
): void {
  const id = `section|${section}`;
  const collapsed = ui.collapsed.has(id);
  const at = rows.length;
  rows.push({ kind: 'section', id, section, label, count: 0, collapsed });
  // Drift entries are informational updates; the action filter applies to planned changes only.
  const f: PlanFilter = driftAll ? { ...ui.filter, actions: new Set(), showAll: true } : ui.filter;
  let total = 0;
  for (const m of modules) {
    const visibleTypes: { t: TypeGroup; rs: ResourceView[] }[] = [];
    for (const t of m.types) {
      const rs = t.resources.filter((r) => matches(r, f));
      if (rs.length) visibleTypes.push({ t, rs });
    }
    const n = visibleTypes.reduce((s, v) => s + v.rs.length, 0);
    if (!n) continue;
    total += n;
    if (collapsed) continue;
    const mCollapsed = ui.collapsed.has(m.id);
    rows.push({
      kind: 'module',
      id: m.id,
      section,
      label: m.module ?? ROOT_MODULE,
      count: n,
      collapsed: mCollapsed,
      actions: countActions(visibleTypes.flatMap((v) => v.rs)),
    });
    if (mCollapsed) continue;
    for (const { t, rs } of visibleTypes) {
      const tCollapsed = ui.collapsed.has(t.id);
      rows.push({
        kind: 'type',
        id: t.id,
        section,
        label: t.type,
        count: rs.length,
        collapsed: tCollapsed,
        actions: countActions(rs),
      });
      if (tCollapsed) continue;
      for (const r of rs) {
        const key = resourceKey(section, r.address);
        const expanded = ui.expanded.has(key);
        rows.push({ kind: 'resource', id: key, section, resource: r, expanded, level: 3 });
        if (!expanded) continue;
        const detail = ui.details.get(key);
        if (!detail) rows.push({ kind: 'loading', id: `${key}|loading`, address: r.address });
        else if (!detail.length) rows.push({ kind: 'empty', id: `${key}|empty`, label: 'No attribute changes' });
        else detail.forEach((d, i) => rows.push({ kind: 'attr', id: `${key}|${i}`, address: r.address, row: d }));
      }
    }
  }
  (rows[at] as Extract<PlanRow, { kind: 'section' }>).count = total;
  if (!total && !collapsed)
    rows.push({
      kind: 'empty',
      id: `${id}|empty`,
      label: section === 'resources' ? 'No resources match' : 'No drift matches',
    });
}

function countActions(rs: readonly ResourceView[]): ActionCounts {
  const c: ActionCounts = {};
  for (const r of rs) c[r.action] = (c[r.action] ?? 0) + 1;
  return c;
}

/** Destructive actions the UI highlights and the approval asks a typed confirmation for. */
export function isDestructive(a: ChangeAction): boolean {
  return a === 'delete' || a === 'replace';
}
