// Adapter: the plan-first engine (src/core/engine/engine.ts) and the health service
// (src/core/health/service.ts) seen through the panel's small PanelBackend interface.
// No `vscode` import, so it is tested in Node against the real engine types.
//
// What the engine does not keep and the panel needs is kept here, in memory: the timestamps of state
// transitions (the stepper) and of log lines, and a short health history per environment (the timeline).

import { approvalOf } from '../../core/engine/runSummary';
import type { RunEvent, RunSnapshot, RunHandle } from '../../core/engine/engine';
import type { Event } from '../../core/engine/emitter';
import type { RunRecord } from '../../core/engine/journal';
import type { DeployTarget } from '../../core/engine/target';
import type { HealthResult, HealthEndpoints } from '../../core/health/types';
import { deployTargetFor } from '../../core/engine/target';
import type { ProbeResult } from '../../core/health/probe';
import { envKey, isOfProject } from '../../core/model/environment-ref';
import type { Environment, Project } from '../../core/model/types';
import type { EnvView, HealthView, LogLine, ProbeStatus, ProbeView, RunView } from '../protocol';
import type { BackendEvent, Disposable, PanelBackend, PanelRunSnapshot } from './backend';
import { toolOf } from '../../core/engine/target';
import { healthResultOfRun } from '../../core/engine/health';
import { isTerminal } from '../../core/engine/states';
import { driftAsPlanModel, type DriftReport } from '../../core/drift/model';
import type { PlanModel } from '../../core/plan/model';

/** The part of DeployRunner the panel uses (structural, so tests can pass the real engine or a stand-in). */
export interface DeployRunnerLike {
  readonly onRunEvent: Event<RunEvent>;
  snapshot(runId: string): RunSnapshot | undefined;
  list(filter?: {
    project?: string;
    projectDir?: string;
    environment?: string;
    active?: boolean;
    limit?: number;
  }): RunRecord[];
  startPlan(target: DeployTarget, opts?: { destroy?: boolean }): Promise<RunHandle>;
  replan(runId: string): Promise<RunHandle>;
  approve(runId: string, planHash: string, who?: string): Promise<RunSnapshot>;
  startApply(runId: string): Promise<RunHandle>;
  cancel(runId: string, who?: string): Promise<RunSnapshot | undefined>;
  discard(runId: string, who?: string): Promise<RunSnapshot | undefined>;
  /** Rollback as a planned run (engine.planRollback); absent = the panel offers no rollback. */
  planRollback?(target: DeployTarget): Promise<RunHandle>;
  canRollback?(target: Pick<DeployTarget, 'project' | 'environment'>): boolean;
  /** The last drift report of an environment checked by this window (engine.lastDrift). */
  lastDrift?(projectDir: string, environment: string): { runId: string; report: DriftReport } | undefined;
  /** A run's whole log from disk (DeployRunner.readLog). */
  readLog?(runId: string, from: number, count: number): Promise<{ lines: string[]; from: number }> | undefined;
}

export interface HealthLike {
  get(key: string): HealthResult | undefined;
  readonly onDidChange: Event<{ key: string; result: HealthResult | undefined }>;
  /** Retries until healthy or the deadline (HealthService.wait). */
  wait?(
    key: string,
    target: HealthEndpoints,
    opts?: { deadlineMs?: number; timeoutMs?: number },
  ): Promise<HealthResult>;
  /** Records a result (the engine's health verdict of an apply). */
  set?(key: string, result: HealthResult | undefined): void;
}

// Resolving an environment's `health` table lives in the engine, which checks health after every apply.
export { healthEndpointsFor } from '../../core/engine/health';

export interface DeployPanelBackendDeps {
  engine: DeployRunnerLike;
  /** Projects as the sidebar knows them (c.projects.projects). */
  projects: () => readonly Project[];
  health?: HealthLike;
  redact?: (text: string) => string;
  followContainer?: (envKey: string, onLines: (lines: LogLine[]) => void) => Disposable;
  /** Runs "Check Drift" for the environment (the command, with its progress and messages). */
  checkDrift?: (project: Project, env: Environment) => Promise<void>;
  /** Resolves when the engine can answer list()/snapshot() (the lazy engine opens its journal first). */
  ready?: Promise<void>;
}

const HISTORY = 60;
const LOG_KEEP = 100_000;
/** Runs whose timestamped log tail is kept (the newest; a panel shows an environment's latest run). */
const LOG_RUNS = 4;

export class DeployPanelBackend implements PanelBackend {
  private readonly transitions = new Map<string, { state: string; at: number }[]>();
  private readonly logs = new Map<string, LogLine[]>();
  /** Environment key of each run seen logging (null: not an environment of the workspace). */
  private readonly logKeys = new Map<string, string | null>();
  private readonly history = new Map<string, { liveness: ProbeView['history']; readiness: ProbeView['history'] }>();
  private readonly subs: Disposable[] = [];
  private readonly listeners = new Set<(e: BackendEvent) => void>();

  constructor(private readonly d: DeployPanelBackendDeps) {
    this.followContainer = d.followContainer;
    // Panels opened before the engine was ready showed "no run": resend them everything once it is.
    void d.ready?.then(
      () => this.fire({ type: 'refresh' }),
      () => undefined,
    );
    this.subs.push(
      d.engine.onRunEvent((e) => this.onRunEvent(e)),
      ...(d.health
        ? [
            d.health.onDidChange(({ key, result }) => {
              if (result) this.record(key, result);
              const health = this.health(key);
              if (health) this.fire({ type: 'health', envKey: key, health });
            }),
          ]
        : []),
    );
  }

  readonly followContainer?: PanelBackend['followContainer'];

  private find(key: string): { project: Project; env: Environment } | undefined {
    for (const project of this.d.projects())
      for (const env of project.environments) if (envKey(project.dir, env.name) === key) return { project, env };
    return undefined;
  }

  env(envKey: string): EnvView | undefined {
    const f = this.find(envKey);
    if (!f) return undefined;
    return {
      key: envKey,
      project: f.project.name,
      name: f.env.name,
      kind: f.env.kind,
      protected: !!f.env.protected,
      // An earlier successful deployment exists (engine journal); while a run is open, roll back after it.
      canRollback: this.rollbackPossible(f.project, f.env),
      hasContainerLogs: (f.env.kind === 'local' || toolOf(f.env) === 'kubernetes') && !!this.d.followContainer,
    };
  }

  private rollbackPossible(project: Project, env: Environment): boolean {
    if (!this.d.engine.planRollback || !this.d.engine.canRollback) return false;
    if (!this.d.engine.canRollback({ project: { name: project.name, dir: project.dir }, environment: env }))
      return false;
    const open = this.d.engine.list({
      project: project.name,
      projectDir: project.dir,
      environment: env.name,
      active: true,
      limit: 1,
    })[0];
    return !open;
  }

  current(envKey: string): PanelRunSnapshot | undefined {
    const f = this.find(envKey);
    if (!f) return undefined;
    const rec = this.d.engine.list({
      project: f.project.name,
      projectDir: f.project.dir,
      environment: f.env.name,
      limit: 1,
    })[0];
    if (!rec) return undefined;
    const snap = this.d.engine.snapshot(rec.id);
    return snap ? this.toSnapshot(snap) : undefined;
  }

  health(envKey: string): HealthView | undefined {
    const r = this.d.health?.get(envKey);
    if (!r) return undefined;
    if (!this.history.has(envKey)) this.record(envKey, r);
    const h = this.history.get(envKey)!;
    const probes: ProbeView[] = [];
    const add = (name: 'liveness' | 'readiness', p: ProbeResult | undefined) => {
      if (!p) return;
      probes.push({
        name,
        target: p.url,
        status: p.ok ? 'pass' : 'fail',
        latencyMs: p.ms,
        checkedAt: Date.parse(r.checkedAt) || undefined,
        error: p.ok ? undefined : (p.error ?? (p.status ? `HTTP ${p.status}` : 'failed')),
        history: h[name],
      });
    };
    add('liveness', r.liveness);
    add('readiness', r.readiness);
    const overall: ProbeStatus = r.status === 'healthy' ? 'pass' : r.status === 'unhealthy' ? 'fail' : 'unknown';
    if (!probes.length && r.reason)
      probes.push({
        name: 'engine',
        target: 'container health',
        status: overall,
        error: overall === 'fail' ? r.reason : undefined,
        history: [],
      });
    return { overall, probes };
  }

  private record(key: string, r: HealthResult): void {
    const h = this.history.get(key) ?? { liveness: [], readiness: [] };
    const at = Date.parse(r.checkedAt) || Date.now();
    for (const name of ['liveness', 'readiness'] as const) {
      const p = r[name];
      if (!p) continue;
      const list = h[name];
      if (list.length && list[list.length - 1]!.at === at) continue;
      list.push({ at, ok: p.ok, latencyMs: p.ms, error: p.error });
      if (list.length > HISTORY) list.splice(0, list.length - HISTORY);
    }
    this.history.set(key, h);
  }

  subscribe(listener: (e: BackendEvent) => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => void this.listeners.delete(listener) };
  }

  private fire(e: BackendEvent): void {
    for (const l of [...this.listeners]) l(e);
  }

  private keyOfRun(run: RunRecord): string | undefined {
    for (const project of this.d.projects())
      if (isOfProject(run, project))
        for (const env of project.environments) if (env.name === run.environment) return envKey(project.dir, env.name);
    return undefined;
  }

  private onRunEvent(e: RunEvent): void {
    if (e.type === 'log') return this.onLog(e.runId, e.lines);
    const snap = this.d.engine.snapshot(e.runId);
    if (!snap) return;
    const key = this.keyOfRun(snap.run);
    if (!key) return;
    // A drift check is not the environment's current run: it only refreshes the Drift view when it ends.
    if (snap.run.kind === 'drift') {
      if (e.type === 'state' && isTerminal(e.state)) this.fire({ type: 'drift', envKey: key });
      return;
    }
    if (e.type === 'state') {
      const list = this.transitions.get(e.runId) ?? [];
      if (list[list.length - 1]?.state !== e.state) list.push({ state: e.state, at: Date.now() });
      this.transitions.set(e.runId, list);
      if (e.state === 'Applied' || e.state === 'Unhealthy') this.showHealthOfApply(key, snap.run);
    }
    if (e.type === 'progress') {
      // Planned changes show in the plan view as they are found; apply steps are in the log in words.
      if (e.event.kind === 'planned')
        this.fire({
          type: 'found',
          envKey: key,
          runId: e.runId,
          changes: [{ address: e.event.change.address, action: e.event.change.action }],
        });
      return;
    }
    this.fire({ type: 'run', envKey: key, snapshot: this.toSnapshot(snap) });
  }

  /**
   * A log line of a run (a busy tool sends 100,000 a second): no snapshot per line, the run's environment key
   * looked up once. Timestamped tails are kept for the last LOG_RUNS runs only; older runs' logs are the
   * journal's (its tail in memory, the whole log on disk).
   */
  private onLog(runId: string, texts: string[]): void {
    let key = this.logKeys.get(runId);
    if (key === undefined) {
      const run = this.d.engine.snapshot(runId)?.run;
      // A drift check's log is its own, not the environment's current run's.
      key = run && run.kind !== 'drift' ? (this.keyOfRun(run) ?? null) : null;
      this.logKeys.set(runId, key);
      if (this.logKeys.size > LOG_RUNS * 4) this.logKeys.delete(this.logKeys.keys().next().value!);
    }
    if (key === null) return;
    const t = Date.now();
    const lines = texts.map((text) => ({ t, text }));
    let kept = this.logs.get(runId);
    if (!kept) {
      this.logs.set(runId, (kept = []));
      if (this.logs.size > LOG_RUNS) this.logs.delete(this.logs.keys().next().value!);
    }
    for (const l of lines) kept.push(l);
    if (kept.length > LOG_KEEP * 1.25) kept.splice(0, kept.length - LOG_KEEP);
    this.fire({ type: 'log', envKey: key, runId, lines });
  }

  /** The engine checked health as the apply's last step: its verdict is what the Health tab shows. */
  private showHealthOfApply(key: string, run: RunRecord): void {
    const r = healthResultOfRun(run);
    if (r) this.d.health?.set?.(key, r);
  }

  private toSnapshot(s: RunSnapshot): PanelRunSnapshot {
    const r = s.run;
    const startedAt = Date.parse(r.startedAt) || Date.now();
    const transitions = this.transitions.get(r.id) ?? [{ state: r.state, at: Date.parse(r.updatedAt) || startedAt }];
    const run: RunView = {
      id: r.id,
      kind: r.kind,
      state: r.state,
      startedBy: r.who,
      startedAt,
      updatedAt: Date.parse(r.endedAt ?? r.updatedAt) || startedAt,
      transitions,
      planHash: s.planHash,
      expiresAt: s.expiresAt ? Date.parse(s.expiresAt) : undefined,
      error: r.error,
      approval: approvalView(r),
    };
    const log = this.logs.get(r.id) ?? r.log.map((text) => ({ t: startedAt, text }));
    // Lines logged so far (the journal counts those it dropped from its tail) less those in `log`.
    const logFrom = Math.max(0, (r.logDropped ?? 0) + r.log.length - log.length);
    const plan =
      s.model && !s.binding
        ? {
            ...s.model,
            notices: [
              ...(s.model.notices ?? []),
              'This tool re-plans at apply time: what is applied may differ from this preview.',
            ],
          }
        : s.model;
    const found =
      r.state === 'Planning'
        ? s.progress.flatMap((p) =>
            p.kind === 'planned' ? [{ address: p.change.address, action: p.change.action }] : [],
          )
        : undefined;
    return { run, plan, log, logFrom, found };
  }

  async plan(envKey: string): Promise<void> {
    const f = this.find(envKey);
    if (!f) throw new Error('This environment no longer exists in helix.deploy.toml.');
    const cur = this.current(envKey);
    // A plan waiting for approval is replaced. The new plan reads helix.deploy.toml afresh (a re-plan of the
    // old run would reuse the settings and `${image}` it was started with, missing any edit since).
    if (cur && (cur.run.state === 'Planned' || cur.run.state === 'Approved'))
      await this.d.engine.discard(cur.run.id).catch(() => undefined);
    await this.d.engine.startPlan(deployTargetFor(f.project, f.env.name));
  }

  async checkDrift(envKey: string): Promise<void> {
    const f = this.find(envKey);
    if (!f) throw new Error('This environment no longer exists in helix.deploy.toml.');
    if (!this.d.checkDrift) throw new Error('Drift checks are not available in this window.');
    await this.d.checkDrift(f.project, f.env);
  }

  drift(envKey: string): PlanModel | undefined {
    const f = this.find(envKey);
    const last = f && this.d.engine.lastDrift?.(f.project.dir, f.env.name);
    return last && driftAsPlanModel(last.report);
  }

  /** Plans a rollback (a run of kind `rollback`, reviewed and approved in this same panel). */
  async rollback(envKey: string): Promise<void> {
    const f = this.find(envKey);
    if (!f) throw new Error('This environment no longer exists in helix.deploy.toml.');
    if (!this.d.engine.planRollback) throw new Error("This environment's target cannot roll back.");
    await this.d.engine.planRollback(deployTargetFor(f.project, f.env.name));
  }

  async approve(_envKey: string, runId: string, planHash: string): Promise<void> {
    await this.d.engine.approve(runId, planHash);
    // "Approve and apply": the engine applies exactly the approved plan file.
    await this.d.engine.startApply(runId);
  }

  async cancel(_envKey: string, runId: string): Promise<void> {
    await this.d.engine.cancel(runId);
  }

  async discard(_envKey: string, runId: string): Promise<void> {
    await this.d.engine.discard(runId);
  }

  async readLog(runId: string, from: number, count: number): Promise<{ lines: string[]; from: number }> {
    const r = await this.d.engine.readLog?.(runId, from, count);
    return r ?? { lines: [], from };
  }

  redact(text: string): string {
    return this.d.redact ? this.d.redact(text) : text;
  }

  dispose(): void {
    for (const s of this.subs.splice(0)) s.dispose();
    this.listeners.clear();
  }
}

function approvalView(r: RunSnapshot['run']): RunView['approval'] {
  const a = approvalOf(r);
  return a && { by: a.by, at: Date.parse(a.at) || 0, planHash: a.planHash };
}
