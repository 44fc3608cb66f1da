// Entry of the browser app (bundled by esbuild to dist/webview/app.js as an IIFE). Wires the host messages
// (protocol.ts) to the tabs. The app holds no truth of its own: every snapshot replaces what it shows, so a
// hidden/restored panel or a reloaded window shows exactly what the host knows.

import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import { isHostMessage, PROTOCOL_VERSION, type HostMessage, type PanelState, type WebviewMessage } from '../protocol';
import { h } from './dom';
import { RunHeader } from './header';
import { HealthTab } from './healthView';
import { LogTab } from './logView';
import { PlanTab, type SavedPlanUi } from './planView';

interface VsCodeApi {
  postMessage(msg: unknown): void;
  getState(): unknown;
  setState(s: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

type Tab = 'plan' | 'drift' | 'logs' | 'health';

/** What the app keeps in vscode.setState: survives hide/show (retainContextWhenHidden is off) and reloads. */
interface Saved {
  envKey?: string;
  tab?: Tab;
  runState?: string;
  plan?: SavedPlanUi;
}
const APPLY_STATES = new Set([
  'Approved',
  'Applying',
  'Applied',
  'Unhealthy',
  'ApplyFailed',
  'Running',
  'Succeeded',
  'Failed',
]);

class App {
  private readonly vscode = acquireVsCodeApi();
  private readonly post = (m: WebviewMessage) => this.vscode.postMessage(m);
  private readonly header = new RunHeader(this.post);
  private readonly plan = new PlanTab(this.post);
  private readonly drift = new PlanTab(this.post, { id: 'drift' });
  private readonly logs = new LogTab(this.post);
  private readonly health = new HealthTab();
  private readonly notice = h('div', { class: 'notice', id: 'notice', hidden: true });
  private readonly tabs = h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Deployment views' });
  private state: PanelState | undefined;
  private tab: Tab = 'plan';
  /** Set once the user picked a tab themselves; automatic switching then only happens on state changes. */
  private lastRunState: string | undefined;

  mount(root: HTMLElement): void {
    for (const [id, label] of [
      ['plan', 'Plan'],
      ['drift', 'Drift'],
      ['logs', 'Logs'],
      ['health', 'Health'],
    ] as const) {
      const b = h(
        'button',
        { class: 'tab', role: 'tab', id: `tab-${id}`, 'aria-controls': `panel-${id}`, 'data-tab': id },
        label,
      );
      b.addEventListener('click', () => this.selectTab(id));
      b.addEventListener('keydown', (e) => this.tabKey(e, id));
      this.tabs.append(b);
    }
    root.append(
      this.header.el,
      this.notice,
      this.tabs,
      h('main', { class: 'panels' }, this.plan.el, this.drift.el, this.logs.el, this.health.el),
    );
    const saved = this.vscode.getState() as Saved | undefined;
    this.plan.restoreUi(saved?.plan);
    // The run state the user last saw: the tab only switches automatically if the run moved on meanwhile.
    this.lastRunState = saved?.runState;
    this.selectTab(saved?.tab ?? 'plan', false);
    this.plan.onUiChange = () => this.persist();
    window.addEventListener('message', (e: MessageEvent) => this.onMessage(e.data));
    // Expiry countdown and running durations.
    setInterval(() => this.state && this.renderClock(), 1000);
    this.post({ type: 'ready', version: PROTOCOL_VERSION });
  }

  private onMessage(data: unknown): void {
    if (!isHostMessage(data)) return;
    const m = data as HostMessage;
    switch (m.type) {
      case 'snapshot':
        this.state = m.state;
        this.logs.setContainerAvailable(
          m.state.env.hasContainerLogs,
          m.state.env.kind === 'kubernetes' ? 'Pods' : 'Container',
        );
        this.logs.setCapacity(m.state.maxLogLines);
        this.vscode.setState({ tab: this.tab, envKey: m.state.env.key });
        this.logs.runId = m.state.run?.id;
        this.logs.reset('run', m.state.logs.run ?? [], m.state.runLogFrom ?? 0);
        this.logs.reset('container', m.state.logs.container ?? []);
        this.plan.found.reset(m.state.found);
        if (m.state.view) this.selectTab(m.state.view, false);
        this.renderAll(true);
        break;
      case 'run':
        if (!this.state) return;
        this.state = {
          ...this.state,
          run: m.run,
          plan: m.plan === undefined ? this.state.plan : (m.plan ?? undefined),
        };
        this.logs.runId = m.run?.id;
        if (m.run?.id !== this.lastRunId) {
          this.logs.reset('run', []);
          this.plan.found.reset(undefined);
        }
        this.renderAll(false);
        break;
      case 'log':
        if (m.reset) this.logs.reset(m.source, m.lines, m.from);
        else this.logs.append(m.source, m.lines);
        break;
      case 'found':
        if (!this.state || m.runId !== this.state.run?.id) return;
        this.plan.found.add(m.changes);
        this.plan.found.show(!this.state.plan); // found only arrives while the run plans
        break;
      case 'health':
        if (!this.state) return;
        this.state = { ...this.state, health: m.health };
        this.health.update(m.health);
        this.renderTabBadges();
        break;
      case 'planPage': {
        const plan = this.state?.plan;
        if (!plan || plan.pageId !== m.pageId) return; // a page of a plan this view no longer shows
        for (const r of m.resources) plan.resources.push(r);
        plan.pending = m.pending;
        this.plan.pageArrived(this.state!, Date.now());
        break;
      }
      case 'logOlder':
        if (m.runId === this.state?.run?.id) this.logs.prependOlder(m.from, m.lines);
        break;
      case 'detail':
        this.plan.detail(m.section, m.address, m.attributes);
        if (m.section === 'drift') this.drift.detail(m.section, m.address, m.attributes);
        break;
      case 'drift':
        if (!this.state) return;
        this.state = { ...this.state, drift: m.plan ?? undefined };
        this.drift.update(this.state, Date.now());
        this.renderTabBadges();
        break;
      case 'notice':
        if (!this.state) return;
        this.state = { ...this.state, notice: m.notice };
        this.renderNotice();
        break;
    }
  }

  private lastRunId: string | undefined;

  private renderAll(snapshot: boolean): void {
    const s = this.state!;
    const now = Date.now();
    const runState = s.run?.state;
    // Once approved the panel becomes the apply view (logs); a new plan brings the plan back.
    if (!snapshot || !s.view) {
      if (runState !== this.lastRunState) {
        if (runState && APPLY_STATES.has(runState)) this.selectTab('logs', false);
        else if (runState === 'Planning' || runState === 'Planned' || runState === 'PlanFailed')
          this.selectTab('plan', false);
      }
    }
    this.lastRunState = runState;
    this.lastRunId = s.run?.id;
    this.persist();
    this.header.update(s, now);
    this.plan.update(s, now);
    this.drift.update(s, now);
    this.health.update(s.health);
    this.renderNotice();
    this.renderTabBadges();
    document.body.dataset.runState = runState ?? 'none';
  }

  private renderClock(): void {
    const now = Date.now();
    this.header.update(this.state!, now);
    this.plan.approval.update(this.state!, now);
  }

  private renderNotice(): void {
    const n = this.state?.notice;
    this.notice.hidden = !n;
    this.notice.replaceChildren();
    if (!n) return;
    this.notice.className = `notice msg msg-${n.severity}`;
    this.notice.setAttribute('role', n.severity === 'error' ? 'alert' : 'status');
    this.notice.append(h('span', {}, n.message));
    if (n.action === 'replan') {
      const b = h('vscode-button', { id: 'notice-replan' }, 'Re-plan');
      b.addEventListener('click', () => this.post({ type: 'plan' }));
      this.notice.append(b);
    }
  }

  private renderTabBadges(): void {
    const drifted = this.state?.drift?.summary.drift ?? 0;
    const dt = this.tabs.querySelector<HTMLElement>('#tab-drift');
    if (dt) dt.textContent = drifted ? `Drift ${drifted}` : 'Drift';
    const hs = this.state?.health?.overall;
    const tab = this.tabs.querySelector<HTMLElement>('#tab-health');
    if (tab) tab.textContent = hs === 'pass' ? 'Health ●' : hs === 'fail' ? 'Health ✕' : 'Health';
    tab?.setAttribute(
      'aria-label',
      `Health${hs ? `: ${hs === 'pass' ? 'healthy' : hs === 'fail' ? 'failing' : 'unknown'}` : ''}`,
    );
  }

  private selectTab(t: Tab, focus = false): void {
    this.tab = t;
    for (const b of this.tabs.querySelectorAll<HTMLElement>('[role=tab]')) {
      const on = b.dataset.tab === t;
      b.setAttribute('aria-selected', String(on));
      b.tabIndex = on ? 0 : -1;
      if (on && focus) b.focus();
    }
    this.plan.el.hidden = t !== 'plan';
    this.drift.el.hidden = t !== 'drift';
    this.logs.el.hidden = t !== 'logs';
    this.health.el.hidden = t !== 'health';
    if (t === 'logs') requestAnimationFrame(() => this.logs.shown());
    // The serializer reads envKey to restore this panel after a window reload.
    this.persist();
  }

  private persist(): void {
    const prev = this.vscode.getState() as Saved | undefined;
    // The serializer in src/webview/index.ts reads envKey to restore this panel after a window reload.
    const saved: Saved = {
      envKey: this.state?.env.key ?? prev?.envKey,
      tab: this.tab,
      runState: this.lastRunState,
      plan: this.plan.uiState(),
    };
    this.vscode.setState(saved);
  }

  private tabKey(e: KeyboardEvent, id: Tab): void {
    const order: Tab[] = ['plan', 'drift', 'logs', 'health'];
    const i = order.indexOf(id);
    if (e.key === 'ArrowRight') this.selectTab(order[(i + 1) % order.length]!, true);
    else if (e.key === 'ArrowLeft') this.selectTab(order[(i + order.length - 1) % order.length]!, true);
    else return;
    e.preventDefault();
  }
}

new App().mount(document.getElementById('root') ?? document.body);
