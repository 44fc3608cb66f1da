// Adapter: the plan-first engine (src/core/engine/engine.ts) and the health service
// (src/core/health/service.ts) seen through the panel's small PanelBackend interface.
// No `vscode` import, so it is tested in Node against the real engine types.
//
// What the engine does not keep and the panel needs is kept here, in memory: the timestamps of state
// transitions (the stepper) and of log lines, and a short health history per environment (the timeline).

import { approvalOf } from '../../core/engine/runSummary';
import type { RunEvent, RunSnapshot as EngineSnapshot, RunHandle } from '../../core/engine/engine';
import type { Event } from '../../core/engine/emitter';
import type { RunRecord } from '../../core/engine/journal';
import type { DeployTarget } from '../../core/engine/target';
import type { HealthResult, HealthTarget } from '../../core/health/types';
import { deployTargetFor } from '../../core/engine/target';
import type { ProbeResult } from '../../core/health/probe';
import type { Environment, Project } from '../../core/model/types';
import type { EnvView, HealthView, LogLine, ProbeStatus, ProbeView, RunView } from '../protocol';
import type { BackendEvent, Disposable, PanelBackend, RunSnapshot } from './backend';
import { toolOf } from '../../core/engine/target';
import { healthResultOfRun } from '../../core/engine/health';

/** The part of DeployEngine the panel uses (structural, so tests can pass the real engine or a stand-in). */
export interface EngineLike {
  readonly onRunEvent: Event<RunEvent>;
  snapshot(runId: string): EngineSnapshot | undefined;
  list(filter?: { project?: string; projectDir?: string; environment?: string; active?: boolean; limit?: number }): RunRecord[];
  startPlan(target: DeployTarget, opts?: { destroy?: boolean }): Promise<RunHandle>;
  replan(runId: string): Promise<RunHandle>;
  approve(runId: string, planHash: string, who?: string): Promise<EngineSnapshot>;
  startApply(runId: string): Promise<RunHandle>;
  cancel(runId: string, who?: string): Promise<EngineSnapshot | undefined>;
  discard(runId: string, who?: string): Promise<EngineSnapshot | undefined>;
  /** Rollback as a planned run (engine.planRollback); absent = the panel offers no rollback. */
  planRollback?(target: DeployTarget): Promise<RunHandle>;
  canRollback?(target: Pick<DeployTarget, 'project' | 'environment'>): boolean;
}

export interface HealthLike {
  get(key: string): HealthResult | undefined;
  readonly onDidChange: Event<{ key: string; result: HealthResult | undefined }>;
  /** Retries until healthy or the deadline (HealthService.wait). */
  wait?(key: string, target: HealthTarget, opts?: { deadlineMs?: number; timeoutMs?: number }): Promise<HealthResult>;
  /** Records a result (the engine's health verdict of an apply). */
  set?(key: string, result: HealthResult | undefined): void;
}

// Resolving an environment's `health` table lives in the engine, which checks health after every apply.
export { healthTargetFor } from '../../core/engine/health';

export interface EngineBackendDeps {
  engine: EngineLike;
  /** Projects as the sidebar knows them (c.projects.projects). */
  projects: () => readonly Project[];
  health?: HealthLike;
  redact?: (text: string) => string;
  followContainer?: (envKey: string, onLines: (lines: LogLine[]) => void) => Disposable;
  /** Resolves when the engine can answer list()/snapshot() (the lazy engine opens its journal first). */
  ready?: Promise<void>;
}

/** `${project dir}#${environment}`: the same key the health service uses. */
export function envKeyOf(project: Pick<Project, 'dir'>, env: Pick<Environment, 'name'>): string {
  return `${project.dir}#${env.name}`;
}

const HISTORY = 60;
const LOG_KEEP = 100_000;

export class EngineBackend implements PanelBackend {
  private readonly transitions = new Map<string, { state: string; at: number }[]>();
  private readonly logs = new Map<string, LogLine[]>();
  private readonly history = new Map<string, { liveness: ProbeView['history']; readiness: ProbeView['history'] }>();
  private readonly subs: Disposable[] = [];
  private readonly listeners = new Set<(e: BackendEvent) => void>();

  constructor(private readonly d: EngineBackendDeps) {
    this.followContainer = d.followContainer;
    // Panels opened before the engine was ready showed "no run": resend them everything once it is.
    void d.ready?.then(() => this.fire({ type: 'refresh' }), () => undefined);
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

  private find(envKey: string): { project: Project; env: Environment } | undefined {
    for (const project of this.d.projects())
      for (const env of project.environments) if (envKeyOf(project, env) === envKey) return { project, env };
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
    if (!this.d.engine.canRollback({ project: { name: project.name, dir: project.dir }, environment: env })) return false;
    const open = this.d.engine.list({ project: project.name, projectDir: project.dir, environment: env.name, active: true, limit: 1 })[0];
    return !open;
  }

  current(envKey: string): RunSnapshot | undefined {
    const f = this.find(envKey);
    if (!f) return undefined;
    const rec = this.d.engine.list({ project: f.project.name, projectDir: f.project.dir, environment: f.env.name, limit: 1 })[0];
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
    if (!probes.length && r.reason) probes.push({ name: 'engine', target: 'container health', status: overall, error: overall === 'fail' ? r.reason : undefined, history: [] });
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
      if (project.name === run.project) for (const env of project.environments) if (env.name === run.environment) return envKeyOf(project, env);
    return undefined;
  }

  private onRunEvent(e: RunEvent): void {
    const snap = this.d.engine.snapshot(e.runId);
    if (!snap) return;
    const key = this.keyOfRun(snap.run);
    if (!key) return;
    if (e.type === 'log') {
      const lines = e.lines.map((text) => ({ t: Date.now(), text }));
      const kept = this.logs.get(e.runId) ?? [];
      kept.push(...lines);
      if (kept.length > LOG_KEEP * 1.25) kept.splice(0, kept.length - LOG_KEEP);
      this.logs.set(e.runId, kept);
      this.fire({ type: 'log', envKey: key, runId: e.runId, lines });
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
      if (e.event.kind === 'planned') this.fire({ type: 'found', envKey: key, runId: e.runId, changes: [{ address: e.event.change.address, action: e.event.change.action }] });
      return;
    }
    this.fire({ type: 'run', envKey: key, snapshot: this.toSnapshot(snap) });
  }

  /** The engine checked health as the apply's last step: its verdict is what the Health tab shows. */
  private showHealthOfApply(key: string, run: RunRecord): void {
    const r = healthResultOfRun(run);
    if (r) this.d.health?.set?.(key, r);
  }

  private toSnapshot(s: EngineSnapshot): RunSnapshot {
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
    const plan = s.model && !s.binding ? { ...s.model, notices: [...(s.model.notices ?? []), 'This tool re-plans at apply time: what is applied may differ from this preview.'] } : s.model;
    const found = r.state === 'Planning' ? s.progress.flatMap((p) => (p.kind === 'planned' ? [{ address: p.change.address, action: p.change.action }] : [])) : undefined;
    return { run, plan, log, found };
  }

  async plan(envKey: string): Promise<void> {
    const f = this.find(envKey);
    if (!f) throw new Error('This environment no longer exists in helix.deploy.toml.');
    const cur = this.current(envKey);
    // A plan waiting for approval is replaced. The new plan reads helix.deploy.toml afresh (a re-plan of the
    // old run would reuse the settings and `${image}` it was started with, missing any edit since).
    if (cur && (cur.run.state === 'Planned' || cur.run.state === 'Approved')) await this.d.engine.discard(cur.run.id).catch(() => undefined);
    await this.d.engine.startPlan(deployTargetFor(f.project, f.env.name));
  }

  /** Plans a rollback (a run of kind `rollback`, reviewed and approved in this same panel). */
  async rollback(envKey: string): Promise<void> {
    const f = this.find(envKey);
    if (!f) throw new Error('This environment no longer exists in helix.deploy.toml.');
    if (!this.d.engine.planRollback) throw new Error('This environment\'s target cannot roll back.');
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

  redact(text: string): string {
    return this.d.redact ? this.d.redact(text) : text;
  }

  dispose(): void {
    for (const s of this.subs.splice(0)) s.dispose();
    this.listeners.clear();
  }
}

function approvalView(r: EngineSnapshot['run']): RunView['approval'] {
  const a = approvalOf(r);
  return a && { by: a.by, at: Date.parse(a.at) || 0, planHash: a.planHash };
}
