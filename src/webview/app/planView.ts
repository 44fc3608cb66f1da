// The Plan tab: summary counts (which double as action filters), search, the virtualised tree of changes,
// drift and outputs, and the approval bar. All grouping/filtering/diffing is in ../model (unit-tested in Node);
// this file only turns rows into DOM.

import type { AttributeDiff, ChangeAction } from '../../core/plan/model';
import { buildDiffRows, type DiffRow } from '../model/diff';
import {
  flattenPlan,
  indexPlan,
  isDestructive,
  resourceKey,
  type PlanIndex,
  type PlanRow,
  type PlanUiState,
  type Section,
} from '../model/planRows';
import type { PanelState, PlanView as PlanData, WebviewMessage } from '../protocol';
import { ApprovalBar } from './approvalBar';
import { CostFindings, costMessage } from './costView';
import { FoundList } from './foundList';
import { clear, debounce, frameScheduler, h, setAttr } from './dom';
import { renderPlanRow } from './planRow';
import { VirtualList } from './virtualList';

export const PLAN_ROW_HEIGHT = 22;

export interface SavedPlanUi {
  actions: ChangeAction[];
  search: string;
  showAll: boolean;
  collapsed: string[];
  expanded: string[];
}

/** Chips shown in the summary, in this order; a chip only appears when its count is non-zero. */
const CHIPS: { action: ChangeAction; key: keyof PlanData['summary']; label: string }[] = [
  { action: 'create', key: 'create', label: 'to add' },
  { action: 'update', key: 'update', label: 'to change' },
  { action: 'replace', key: 'replace', label: 'to replace' },
  { action: 'delete', key: 'delete', label: 'to destroy' },
  { action: 'import', key: 'import', label: 'to import' },
  { action: 'move', key: 'move', label: 'to move' },
  { action: 'forget', key: 'forget', label: 'to forget' },
  { action: 'read', key: 'read', label: 'to read' },
];

export class PlanTab {
  readonly el: HTMLElement;
  private readonly summaryEl = h('div', {
    class: 'plan-summary',
    role: 'group',
    'aria-label': 'Plan summary and action filters',
  });
  private readonly messagesEl = h('div', { class: 'plan-messages' });
  private readonly statusEl = h('div', { class: 'plan-status', role: 'status' });
  private readonly list: VirtualList<PlanRow>;
  readonly approval: ApprovalBar;
  private readonly costFindings = new CostFindings();
  /** What the plan under way found so far (main.ts feeds it; shown until the plan completes). */
  readonly found = new FoundList();
  private plan: PlanData | undefined;
  private index: PlanIndex | undefined;
  private rows: PlanRow[] = [];
  private active = 0;
  private readonly ui: {
    filter: { actions: Set<ChangeAction>; search: string; showAll: boolean };
    collapsed: Set<string>;
    expanded: Set<string>;
    details: Map<string, DiffRow[]>;
  } = {
    filter: { actions: new Set(), search: '', showAll: false },
    collapsed: new Set(),
    expanded: new Set(),
    details: new Map(),
  };

  /** Called whenever the user changes filters/expansion, so main.ts can persist it across hide/show. */
  onUiChange: () => void = () => {};

  /** `drift`: the Drift tab, the same tree and diff rows for the last drift check (no approval, a Check Drift button). */
  private readonly id: 'plan' | 'drift';
  private get rowIdPrefix(): string {
    return this.id === 'drift' ? 'drow' : 'prow';
  }

  constructor(
    private readonly post: (m: WebviewMessage) => void,
    opts: { id?: 'plan' | 'drift' } = {},
  ) {
    this.id = opts.id ?? 'plan';
    this.list = new VirtualList<PlanRow>({
      rowHeight: PLAN_ROW_HEIGHT,
      className: 'vlist plan-list',
      rowClassName: 'prow',
      render: (el, row, i) => this.renderRow(el, row, i),
    });
    const sc = this.list.scroller;
    sc.tabIndex = 0;
    sc.setAttribute('role', 'tree');
    sc.setAttribute(
      'aria-label',
      this.id === 'drift'
        ? 'Drifted resources, live against what the tool manages. Arrow keys move, Enter expands, O opens the diff.'
        : 'Planned changes, grouped by module and type. Arrow keys move, Enter expands, O opens the diff.',
    );
    sc.setAttribute('aria-keyshortcuts', 'ArrowUp ArrowDown ArrowLeft ArrowRight Enter Home End PageUp PageDown O');
    sc.addEventListener('keydown', (e) => this.onKey(e));
    sc.addEventListener('click', (e) => this.onClick(e));
    sc.addEventListener('focus', () => this.list.invalidate());

    const search = (this.searchEl = h('vscode-textfield', {
      id: `${this.id}-search`,
      placeholder: 'Search by address',
      label: 'Search resources by address',
      type: 'search',
    }));
    const onSearch = debounce(() => {
      this.ui.filter.search = (search as unknown as { value: string }).value ?? '';
      this.reflatten();
    }, 80);
    search.addEventListener('input', onSearch);
    const showAll = (this.showAllEl = h('vscode-checkbox', { id: `${this.id}-show-all`, label: 'Show unchanged' }));
    showAll.addEventListener('change', () => {
      this.ui.filter.showAll = !!(showAll as unknown as { checked: boolean }).checked;
      this.reflatten();
    });
    this.approval = new ApprovalBar(post);
    const drift = this.id === 'drift';
    const check = h('vscode-button', { id: 'check-drift', secondary: true }, 'Check Drift');
    check.addEventListener('click', () => this.post({ type: 'checkDrift' }));
    this.el = h(
      'section',
      { class: 'tab-panel plan-tab', id: `panel-${this.id}`, role: 'tabpanel', 'aria-labelledby': `tab-${this.id}` },
      this.summaryEl,
      this.messagesEl,
      h('div', { class: 'plan-toolbar' }, ...(drift ? [check, search] : [search, showAll])),
      this.statusEl,
      ...(drift ? [sc] : [this.found.el, sc, this.costFindings.el, this.approval.el, this.approval.record]),
    );
  }

  private searchEl!: HTMLElement;
  private showAllEl!: HTMLElement;

  /** What survives a hidden/restored webview (vscode.setState): filters, search, expanded and collapsed rows. */
  uiState(): SavedPlanUi {
    const f = this.ui.filter;
    return {
      actions: [...f.actions],
      search: f.search,
      showAll: f.showAll,
      collapsed: [...this.ui.collapsed],
      expanded: [...this.ui.expanded],
    };
  }

  restoreUi(s: SavedPlanUi | undefined): void {
    if (!s) return;
    this.ui.filter.actions = new Set(s.actions ?? []);
    this.ui.filter.search = s.search ?? '';
    this.ui.filter.showAll = !!s.showAll;
    this.ui.collapsed = new Set(s.collapsed ?? []);
    this.ui.expanded = new Set(s.expanded ?? []);
    (this.searchEl as unknown as { value: string }).value = this.ui.filter.search;
    if (this.ui.filter.showAll) this.showAllEl.setAttribute('checked', '');
  }

  update(state: PanelState, now: number): void {
    if (this.id === 'drift') {
      if (state.drift !== this.plan) this.setPlan(state.drift);
      this.statusEl.textContent = state.drift
        ? ''
        : 'Not checked for drift in this window yet: "Check Drift" compares what is live with what the tool manages.';
      return;
    }
    if (state.plan !== this.plan) this.setPlan(state.plan);
    this.approval.update(state, now);
    this.costFindings.update(state.plan);
    const planning = state.run?.state === 'Planning' || state.run?.state === 'Draft';
    this.found.show(!state.plan && planning);
    if (!state.plan) {
      this.statusEl.textContent = planning
        ? 'Planning… changes are listed as they are found; the full diff to review appears when the plan completes.'
        : state.run
          ? ''
          : 'No plan yet. Use "Plan" to compute the changes.';
    }
  }

  /**
   * More resources of the shown plan arrived (main.ts appended them to it): index and list them once per
   * frame however many pages came, keeping the user's place, filters and expanded rows.
   */
  pageArrived(state: PanelState, now: number): void {
    this.pendingState = { state, now };
    this.schedulePages();
  }

  private pendingState: { state: PanelState; now: number } | undefined;
  private readonly schedulePages = frameScheduler(() => {
    if (!this.plan || !this.pendingState) return;
    this.index = indexPlan(this.plan);
    this.reflatten();
    this.approval.update(this.pendingState.state, this.pendingState.now);
    this.pendingState = undefined;
    this.askMore();
  });

  /** Asks the host for the plan's next page (after this frame's rows are listed). */
  private askMore(): void {
    const p = this.plan;
    if (p?.pending && p.pageId) this.post({ type: 'planMore', pageId: p.pageId });
  }

  /** Attribute rows for an expanded resource arrived from the host. */
  detail(section: Section, address: string, attributes: AttributeDiff[]): void {
    const key = resourceKey(section, address);
    const list = section === 'drift' ? this.plan?.drift : this.plan?.resources;
    const r = list?.find((x) => x.address === address);
    this.ui.details.set(key, buildDiffRows(attributes, { replacePaths: r?.replacePaths }));
    if (this.ui.expanded.has(key)) this.reflatten();
  }

  private setPlan(plan: PlanData | undefined): void {
    this.plan = plan;
    this.index = plan ? indexPlan(plan) : undefined;
    // Details belong to one plan: a re-plan must never show the previous plan's values.
    this.ui.details.clear();
    for (const key of this.ui.expanded) {
      const [section, ...rest] = key.split(':');
      this.post({ type: 'expand', section: section as Section, address: rest.join(':') });
    }
    this.renderSummary();
    this.renderMessages();
    this.reflatten();
    if (plan?.pending) requestAnimationFrame(() => this.plan === plan && this.askMore());
  }

  private renderSummary(): void {
    clear(this.summaryEl);
    const p = this.plan;
    if (!p) return;
    for (const c of CHIPS) {
      const n = p.summary[c.key];
      if (!n && !(c.action === 'create' || c.action === 'update' || c.action === 'delete' || c.action === 'replace'))
        continue;
      const pressed = this.ui.filter.actions.has(c.action);
      const chip = h(
        'button',
        {
          class: `chip action-${c.action}${isDestructive(c.action) && n ? ' destructive' : ''}`,
          'data-action': c.action,
          'aria-pressed': String(pressed),
          title: `Show only ${c.label}`,
          'aria-label': `${n} ${c.label}. Filter by this action.`,
        },
        h('span', { class: 'chip-count', 'data-count': c.action }, String(n)),
        ` ${c.label}`,
      );
      chip.addEventListener('click', () => {
        if (this.ui.filter.actions.has(c.action)) this.ui.filter.actions.delete(c.action);
        else this.ui.filter.actions.add(c.action);
        this.renderSummary();
        this.reflatten();
      });
      this.summaryEl.append(chip);
    }
    this.summaryEl.append(
      h('span', { class: 'chip-static', 'data-count': 'drift' }, `${p.summary.drift} drifted`),
      h(
        'span',
        { class: 'chip-static', 'data-count': 'outputs' },
        `${p.summary.outputs} output change${p.summary.outputs === 1 ? '' : 's'}`,
      ),
    );
  }

  private renderMessages(): void {
    clear(this.messagesEl);
    const p = this.plan;
    if (!p) return;
    if (p.errored)
      this.messagesEl.append(
        h(
          'div',
          { class: 'msg msg-error', role: 'alert' },
          'The plan failed and cannot be applied. Fix the errors below and re-plan.',
        ),
      );
    if (p.image) {
      // Which image this plan deploys: the digest is what runs, the rest says where it came from.
      const i = p.image;
      const from = [
        `tag ${i.tag}`,
        i.commit ? `commit ${i.commit.slice(0, 12)}` : '',
        i.buildRun ? `build run ${i.buildRun}` : '',
        `pushed ${i.pushedAt}`,
      ]
        .filter(Boolean)
        .join(', ');
      this.messagesEl.append(
        h('div', { class: 'msg msg-info', 'data-image': i.digest }, h('strong', {}, 'Image: '), i.ref, ` (${from})`),
      );
    }
    const cost = costMessage(p);
    if (cost) this.messagesEl.append(cost);
    for (const n of p.notices) this.messagesEl.append(h('div', { class: 'msg msg-warning' }, n));
    for (const d of p.diagnostics.slice(0, 20))
      this.messagesEl.append(
        h(
          'div',
          { class: `msg msg-${d.severity}`, role: d.severity === 'error' ? 'alert' : null },
          h('strong', {}, d.summary),
          d.detail ? ` — ${d.detail}` : '',
          d.address ? ` (${d.address})` : '',
        ),
      );
  }

  private reflatten(): void {
    if (!this.index) {
      this.rows = [];
      this.list.setItems(this.rows);
      return;
    }
    this.rows = flattenPlan(this.index, this.ui as PlanUiState);
    this.onUiChange();
    this.active = Math.min(this.active, Math.max(0, this.rows.length - 1));
    const pending = this.plan?.pending ?? 0;
    this.statusEl.textContent = pending ? `Listing changes… ${pending.toLocaleString('en-US')} more to come.` : '';
    this.list.setItems(this.rows);
    this.updateActiveDescendant();
  }

  private renderRow(el: HTMLElement, row: PlanRow, i: number): void {
    renderPlanRow(el, row, i, i === this.active, this.rowIdPrefix);
  }

  private toggle(i: number, open?: boolean): void {
    const row = this.rows[i];
    if (!row) return;
    if (row.kind === 'resource') {
      const key = row.id;
      const want = open ?? !row.expanded;
      if (want === row.expanded) return;
      if (want) {
        this.ui.expanded.add(key);
        if (!this.ui.details.has(key))
          this.post({ type: 'expand', section: row.section, address: row.resource.address });
      } else this.ui.expanded.delete(key);
      this.reflatten();
    } else if (row.kind === 'section' || row.kind === 'module' || row.kind === 'type') {
      const want = open ?? row.collapsed;
      if (want === !row.collapsed) return;
      if (want) this.ui.collapsed.delete(row.id);
      else this.ui.collapsed.add(row.id);
      this.reflatten();
    }
  }

  private setActive(i: number): void {
    this.active = Math.max(0, Math.min(i, this.rows.length - 1));
    this.list.scrollToIndex(this.active);
    this.list.invalidate();
    this.updateActiveDescendant();
  }

  private updateActiveDescendant(): void {
    setAttr(
      this.list.scroller,
      'aria-activedescendant',
      this.rows.length ? `${this.rowIdPrefix}-${this.active}` : null,
    );
  }

  private onKey(e: KeyboardEvent): void {
    const page = Math.max(1, Math.floor(this.list.scroller.clientHeight / PLAN_ROW_HEIGHT) - 1);
    const row = this.rows[this.active];
    switch (e.key) {
      case 'ArrowDown':
        this.setActive(this.active + 1);
        break;
      case 'ArrowUp':
        this.setActive(this.active - 1);
        break;
      case 'PageDown':
        this.setActive(this.active + page);
        break;
      case 'PageUp':
        this.setActive(this.active - page);
        break;
      case 'Home':
        this.setActive(0);
        break;
      case 'End':
        this.setActive(this.rows.length - 1);
        break;
      case 'Enter':
      case ' ':
        this.toggle(this.active);
        break;
      case 'ArrowRight':
        this.toggle(this.active, true);
        break;
      case 'ArrowLeft':
        this.toggle(this.active, false);
        break;
      case 'o':
      case 'O':
        if (row?.kind === 'resource')
          this.post({ type: 'openDiff', section: row.section, address: row.resource.address });
        break;
      default:
        return;
    }
    e.preventDefault();
  }

  private onClick(e: MouseEvent): void {
    const target = e.target as HTMLElement;
    const rowEl = target.closest<HTMLElement>('.prow');
    if (!rowEl?.dataset.index) return;
    const i = Number(rowEl.dataset.index);
    const row = this.rows[i];
    this.active = i;
    if (target.closest('[data-open-diff]') && row?.kind === 'resource') {
      this.post({ type: 'openDiff', section: row.section, address: row.resource.address });
      return;
    }
    this.toggle(i);
    this.updateActiveDescendant();
  }
}
