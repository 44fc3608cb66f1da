// One panel's conversation with its webview, without any VS Code API (./panel.ts wires it to a WebviewPanel),
// so everything here - validation, snapshots, approval re-check, masking - is unit-tested in Node.
//
// Every message from the webview goes through parseWebviewMessage() first; anything malformed is logged and
// dropped. Everything posted goes through sanitize.ts (mask + redact).

import { HelixError, messageOf } from '../../core/errors';
import { attributesOf, type PlanModel, type ResourceChange } from '../../core/plan/model';
import { approvalState } from '../model/approval';
import { diffSides, type DiffSides } from '../model/diffDocument';
import { pagePlan, type PagedPlan } from '../model/planPages';
import {
  FOUND_RECENT,
  parseWebviewMessage,
  PROTOCOL_VERSION,
  type EnvView,
  type FoundChange,
  type FoundSoFar,
  type HostMessage,
  type LogLine,
  type LogSource,
  type Notice,
  type PanelState,
  type PlanView,
  type CostView,
  type ResourceView,
  type WebviewMessage,
} from '../protocol';
import type { CostEstimate } from '../../core/cost/types';
import { costHeadline, costSourcesLine } from '../../core/cost/render';
import { assertTrusted, isRestrictedModeError, type RestrictedModeError } from '../../core/trust/gate';
import type { Disposable, PanelBackend, PanelRunSnapshot } from './backend';
import { maskAttributes, maskOutputs, scrub } from './sanitize';

/** Lines of each log the host keeps for snapshots and "Save". The app keeps up to 200k of its own. */
export const HOST_LOG_TAIL = 100_000;
/** Log lines are batched for this long before one postMessage (a busy apply emits thousands per second). */
export const LOG_BATCH_MS = 40;
/** Older log lines per "Load older". */
export const LOG_OLDER_PAGE = 5_000;

export interface SessionIO {
  post(m: HostMessage): void;
  openDiff(title: string, sides: DiffSides, id: string): void;
  copy(text: string): Promise<void>;
  save(suggestedName: string, text: string): Promise<void>;
  /** Logged, never shown (a bad message from the webview is a bug, not a user error). */
  log(message: string): void;
  now?(): number;
  /** Lines each log view of the app keeps (setting helixDeploy.panel.maxLogLines). */
  maxLogLines?(): number;
  /** A message was refused in Restricted Mode: show the refusal with its action (the panel also gets a notice). */
  restricted?(err: RestrictedModeError): void;
  /** Copy Run Summary for this run; the panel passes the plan it shows (the fullest list of changes). */
  copyRunSummary?(runId: string, plan: PlanModel | undefined): Promise<void>;
}

/** Messages that only read or render what the host already has: allowed in Restricted Mode. */
const READ_ONLY: ReadonlySet<WebviewMessage['type']> = new Set([
  'ready',
  'expand',
  'openDiff',
  'copy',
  'saveLogs',
  'copyRunSummary',
  'planMore',
  'logOlder',
]);

export class PanelSession {
  private ready = false;
  private snap: PanelRunSnapshot | undefined;
  private planView: PlanView | undefined;
  private planOf: PlanModel | undefined;
  /** The last drift check's report as a plan model (the Drift view), and what was posted of it. */
  private driftOf: PlanModel | undefined;
  private driftView: PlanView | undefined;
  /** The webview holds a different plan than planView: the next 'run' message carries it (plans can be MBs). */
  private planUnsent = true;
  private readonly logs: Record<LogSource, LogLine[]> = { run: [], container: [] };
  /** Index of logs.run[0] in the run's whole log. */
  private runLogFrom = 0;
  private notice: Notice | undefined;
  private pending: Record<LogSource, LogLine[]> = { run: [], container: [] };
  /** The current run's changes found while planning, and those not yet posted. */
  private found: FoundSoFar = { count: 0, recent: [] };
  private pendingFound: FoundChange[] = [];
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly subs: Disposable[] = [];
  private container: Disposable | undefined;
  /** The current plan split into a first message and pages (sorted once per plan). */
  private paged: { of: PlanView; paged: PagedPlan } | undefined;
  private pageSeq = 0;
  /** Pages of the plan last posted: which one the app gets next. */
  private pages: { pageId: string; next: number; pending: number } | undefined;

  constructor(
    readonly envKey: string,
    private readonly backend: PanelBackend,
    private readonly io: SessionIO,
  ) {
    this.setRun(backend.current(envKey));
    this.readDrift();
    this.subs.push(
      backend.subscribe((e) => {
        if (e.type === 'refresh') {
          this.setRun(backend.current(envKey));
          this.readDrift();
          this.refresh();
          return;
        }
        if (e.envKey !== envKey) return;
        if (e.type === 'run') {
          const newRun = e.snapshot.run.id !== this.snap?.run.id;
          const before = this.notice;
          if (newRun) this.notice = undefined; // a notice is about the run it came with
          this.setRun(e.snapshot);
          this.send({
            type: 'run',
            run: this.snap?.run,
            ...(this.planUnsent ? { plan: this.postablePlan() ?? null } : {}),
          });
          this.planUnsent = false;
          if (this.notice !== before) this.send({ type: 'notice', notice: this.notice });
          if (newRun)
            this.send({ type: 'log', source: 'run', lines: this.logs.run, reset: true, from: this.runLogFrom });
          // A run that ends (or starts) can make Rollback possible (or not): the env header must follow.
          this.refreshIfEnvChanged();
        } else if (e.type === 'log') {
          if (e.runId !== this.snap?.run.id) return;
          this.appendLog('run', e.lines);
        } else if (e.type === 'found') {
          if (e.runId !== this.snap?.run.id) return;
          this.addFound(e.changes);
          this.pendingFound.push(...e.changes);
          this.flushTimer ??= setTimeout(() => this.flushLogs(), LOG_BATCH_MS);
        } else if (e.type === 'health') {
          this.send({ type: 'health', health: e.health });
        } else if (e.type === 'drift') {
          this.readDrift();
          this.send({ type: 'drift', plan: this.driftView ?? null });
        }
      }),
    );
  }

  private now(): number {
    return this.io.now?.() ?? Date.now();
  }

  /** The webview went away (hidden with retainContextWhenHidden:false, or reloading); wait for its next ready. */
  detached(): void {
    this.ready = false;
  }

  /** Something outside the run changed (engine ready): resend everything. */
  refresh(): void {
    this.send({ type: 'snapshot', state: this.snapshot() });
  }

  /** Projects were re-read (any save of helix.toml): resend only if this environment's description changed. */
  refreshIfEnvChanged(): void {
    const env = JSON.stringify(this.backend.env(this.envKey));
    if (env !== this.lastEnv) this.refresh();
  }

  private lastEnv: string | undefined;

  /** Full state, what a (re)opened webview renders from scratch. */
  snapshot(): PanelState {
    this.lastEnv = JSON.stringify(this.backend.env(this.envKey));
    this.planUnsent = false;
    const env: EnvView = this.backend.env(this.envKey) ?? {
      key: this.envKey,
      project: '',
      name: this.envKey.split('#').pop() ?? this.envKey,
      kind: 'unknown',
      protected: true,
      canRollback: false,
      hasContainerLogs: false,
    };
    return {
      version: PROTOCOL_VERSION,
      env,
      run: this.snap?.run,
      plan: this.postablePlan(),
      found: this.snap?.run.state === 'Planning' ? this.found : undefined,
      logs: { run: this.logs.run, container: this.logs.container },
      runLogFrom: this.runLogFrom,
      health: this.backend.health(this.envKey),
      notice: this.notice,
      maxLogLines: this.io.maxLogLines?.(),
      ...(this.driftView ? { drift: this.driftView } : {}),
    };
  }

  async handle(raw: unknown): Promise<void> {
    const parsed = parseWebviewMessage(raw);
    if (!parsed.ok) {
      this.io.log(`Helix panel: rejected a message from the webview: ${parsed.error}`);
      return;
    }
    try {
      // The same boundary as the command registrar: nothing the webview asks reaches the engine, a process,
      // Docker or a cluster in Restricted Mode (terraform local-exec is code execution).
      if (!READ_ONLY.has(parsed.message.type)) assertTrusted(`panel message ${parsed.message.type}`);
      await this.act(parsed.message);
    } catch (err) {
      if (isRestrictedModeError(err)) {
        this.setNotice({ severity: 'warning', message: err.message });
        return this.io.restricted?.(err);
      }
      this.setNotice(errorNotice(err));
    }
  }

  private async act(m: WebviewMessage): Promise<void> {
    switch (m.type) {
      case 'ready':
        this.ready = true;
        this.flushLogs(); // drop nothing: pending lines are already in this.logs, the snapshot carries them
        this.send({ type: 'snapshot', state: this.snapshot() });
        return;
      case 'expand': {
        const r = this.find(m.section, m.address);
        if (!r) return this.io.log(`Helix panel: no ${m.section} entry ${m.address} in the current plan`);
        this.send({
          type: 'detail',
          section: m.section,
          address: m.address,
          attributes: maskAttributes(attributesOf(r)),
        });
        return;
      }
      case 'openDiff': {
        const r = this.find(m.section, m.address);
        if (!r) return;
        const sides = diffSides(maskAttributes(attributesOf(r)));
        const redact = this.backend.redact?.bind(this.backend);
        this.io.openDiff(
          `${m.address} (${r.action})`,
          scrub(sides, redact),
          `${this.snap?.run.id ?? 'plan'}/${m.section}/${m.address}`,
        );
        return;
      }
      case 'plan':
        this.setNotice(undefined);
        await this.backend.plan(this.envKey);
        return;
      case 'approve': {
        const run = this.snap?.run;
        const env = this.backend.env(this.envKey);
        if (!run || !env || run.id !== m.runId)
          return this.setNotice({
            severity: 'error',
            message: 'This plan is no longer the current one. Re-plan to review the latest changes.',
            action: 'replan',
          });
        if (run.planHash !== m.planHash)
          return this.setNotice({
            severity: 'error',
            message: 'The plan changed since you reviewed it. Review the new plan before approving.',
          });
        // The same rule as the button, re-checked here: the webview is not trusted to enforce it.
        const a = approvalState(env, run, this.planView, this.now(), m.confirmation ?? '');
        if (!a.enabled)
          return this.setNotice({
            severity: 'error',
            message: `Not approved: ${a.reason ?? 'the plan cannot be approved now.'}`,
            action: a.expired ? 'replan' : undefined,
          });
        this.setNotice(undefined);
        await this.backend.approve(this.envKey, m.runId, m.planHash);
        return;
      }
      case 'discard':
        if (m.runId !== this.snap?.run.id) return;
        await this.backend.discard(this.envKey, m.runId);
        return;
      case 'cancel':
        if (m.runId !== this.snap?.run.id) return;
        await this.backend.cancel(this.envKey, m.runId);
        return;
      case 'checkDrift':
        if (!this.backend.checkDrift)
          return this.setNotice({
            severity: 'warning',
            message: 'Drift checks are not available for this environment.',
          });
        await this.backend.checkDrift(this.envKey);
        return;
      case 'rollback':
        if (!this.backend.rollback)
          return this.setNotice({ severity: 'warning', message: "This environment's target cannot roll back." });
        await this.backend.rollback(this.envKey);
        return;
      case 'copy':
        await this.io.copy(m.text);
        return;
      case 'saveLogs': {
        const text = this.logs[m.source].map((l) => `${new Date(l.t).toISOString()} ${stripAnsi(l.text)}`).join('\n');
        const name = `${this.envKey.split(/[\\/#]/).pop()}-${m.source}-${this.snap?.run.id ?? 'log'}.log`;
        await this.io.save(name, `${text}\n`);
        return;
      }
      case 'copyRunSummary':
        await this.io.copyRunSummary?.(m.runId, m.runId === this.snap?.run.id ? this.planOf : undefined);
        return;
      case 'planMore':
        this.nextPlanPage(m.pageId);
        return;
      case 'logOlder': {
        if (m.runId !== this.snap?.run.id || !this.backend.readLog || m.before === 0) return;
        const from = Math.max(0, m.before - LOG_OLDER_PAGE);
        const r = await this.backend.readLog(m.runId, from, m.before - from);
        this.send({ type: 'logOlder', runId: m.runId, from: r.from, lines: r.lines.map((text) => ({ t: 0, text })) });
        return;
      }
      case 'followContainer':
        this.container?.dispose();
        this.container = undefined;
        if (m.on && this.backend.followContainer)
          this.container = this.backend.followContainer(this.envKey, (lines) => this.appendLog('container', lines));
        return;
    }
  }

  /**
   * The plan to post now: a large one as its first page; the app asks for each next page (planMore) once it
   * has listed the last, so it paints between pages. Posting the plan again starts its pages over.
   */
  private postablePlan(): PlanView | undefined {
    const view = this.planView;
    this.pages = undefined;
    if (!view) return undefined;
    if (this.paged?.of !== view) this.paged = { of: view, paged: pagePlan(view, '') };
    const { first, pages } = this.paged.paged;
    if (!pages.length) return first;
    const pageId = `${this.snap?.run.id ?? 'plan'}/${++this.pageSeq}`;
    this.pages = { pageId, next: 0, pending: first.pending ?? 0 };
    return { ...first, pageId };
  }

  private nextPlanPage(pageId: string): void {
    const q = this.pages;
    const pages = this.paged?.paged.pages;
    if (!q || !pages || q.pageId !== pageId || q.next >= pages.length) return;
    const resources = pages[q.next++]!;
    q.pending -= resources.length;
    this.send({ type: 'planPage', pageId, resources, pending: q.pending });
  }

  private find(section: 'resources' | 'drift', address: string): ResourceChange | undefined {
    const list = section === 'drift' ? this.planOf?.drift : this.planOf?.resources;
    // Drift rows come from the plan (drift it found) or from the Drift view (the last drift check).
    return (
      list?.find((r) => r.address === address) ??
      (section === 'drift' ? this.driftOf?.drift.find((r) => r.address === address) : undefined)
    );
  }

  private readDrift(): void {
    const m = this.backend.drift?.(this.envKey);
    if (m === this.driftOf) return;
    this.driftOf = m;
    this.driftView = m ? toPlanView(m) : undefined;
  }

  private setRun(s: PanelRunSnapshot | undefined): void {
    const sameRun = s?.run.id === this.snap?.run.id;
    this.snap = s;
    if (s?.plan !== this.planOf) {
      this.planOf = s?.plan;
      this.planView = s?.plan ? toPlanView(s.plan) : undefined;
      this.planUnsent = true;
    }
    if (!sameRun) {
      this.logs.run = bounded(s?.log ?? []);
      this.runLogFrom = (s?.logFrom ?? 0) + (s?.log.length ?? 0) - this.logs.run.length;
      this.found = { count: 0, recent: [] };
      this.pendingFound = [];
      this.addFound(s?.found ?? []);
    }
    // Stale plans: say so and offer the way out rather than a dead Approve button.
    if (s?.run.state === 'Expired')
      this.notice = {
        severity: 'warning',
        message: 'The plan expired before it was approved. Re-plan to review current changes.',
        action: 'replan',
      };
  }

  private appendLog(source: LogSource, lines: LogLine[]): void {
    if (!lines.length) return;
    const arr = this.logs[source];
    for (const l of lines) arr.push(l);
    if (arr.length > HOST_LOG_TAIL * 1.25) {
      if (source === 'run') this.runLogFrom += arr.length - HOST_LOG_TAIL;
      this.logs[source] = arr.slice(arr.length - HOST_LOG_TAIL);
    }
    this.pending[source].push(...lines);
    this.flushTimer ??= setTimeout(() => this.flushLogs(), LOG_BATCH_MS);
  }

  private addFound(changes: FoundChange[]): void {
    this.found.count += changes.length;
    this.found.recent.push(...changes);
    if (this.found.recent.length > FOUND_RECENT * 2) this.found.recent = this.found.recent.slice(-FOUND_RECENT);
  }

  private flushLogs(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.pendingFound.length && this.snap)
      this.send({ type: 'found', runId: this.snap.run.id, changes: this.pendingFound });
    this.pendingFound = [];
    for (const source of ['run', 'container'] as const) {
      const lines = this.pending[source];
      if (!lines.length) continue;
      this.pending[source] = [];
      this.send({ type: 'log', source, lines });
    }
  }

  private setNotice(n: Notice | undefined): void {
    this.notice = n;
    this.send({ type: 'notice', notice: n });
  }

  private send(m: HostMessage): void {
    if (!this.ready) return; // the next ready gets a full snapshot instead
    this.io.post(scrub(m, this.backend.redact?.bind(this.backend)));
  }

  dispose(): void {
    clearTimeout(this.flushTimer);
    this.container?.dispose();
    for (const d of this.subs.splice(0)) d.dispose();
  }
}

export function toPlanView(p: PlanModel): PlanView {
  const strip = (r: ResourceChange): ResourceView => {
    const { loadAttributes: _l, attributes: _a, ...rest } = r as ResourceChange & Record<string, unknown>;
    return rest as ResourceView;
  };
  return {
    source: p.source,
    toolVersion: p.toolVersion,
    summary: p.summary,
    resources: p.resources.map(strip),
    drift: p.drift.map(strip),
    outputs: maskOutputs(p.outputs),
    errored: p.errored,
    diagnostics: p.diagnostics,
    notices: p.notices ?? [],
    ...(p.image ? { image: p.image } : {}),
    ...(p.cost ? { cost: toCostView(p.cost) } : {}),
    ...(p.budgetWarning ? { budgetWarning: p.budgetWarning } : {}),
    ...(p.guardrails ? { guardrails: p.guardrails } : {}),
  };
}

function toCostView(e: CostEstimate): CostView {
  return {
    headline: costHeadline(e),
    sources: costSourcesLine(e),
    problems: e.problems.map((p) => p.message),
    notEstimated: e.notEstimated.slice(0, 20),
  };
}

function bounded(lines: LogLine[]): LogLine[] {
  return lines.length > HOST_LOG_TAIL ? lines.slice(lines.length - HOST_LOG_TAIL) : [...lines];
}

// eslint-disable-next-line no-control-regex
const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;?]*[@-~]/g, '');

/** Turns an engine refusal into a notice with the action that fixes it. */
export function errorNotice(err: unknown): Notice {
  const message = messageOf(err);
  // A coded error says whether a new plan fixes it; only a tool's own uncoded text is read for the words.
  const stale = err instanceof HelixError ? err.actions.includes('Re-plan') : /stale|expired|re-?plan/i.test(message);
  return {
    severity: 'error',
    message: stale ? `${message} Re-plan to review the current changes.` : message,
    action: stale ? 'replan' : undefined,
  };
}
