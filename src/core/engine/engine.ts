import { messageOf } from '../errors';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { redactValue } from '../plan/diff';
import { Redactor } from '../process/redact';
import { Emitter, type Event } from './emitter';
import { DeployError, type RunAction } from './errors';
import { newRunId, type RunRecord, type RunStore } from './journal';
import { EnvironmentBusyError, LockManager, pidAlive, type LockInfo } from './locks';
import { assertTransition, IllegalTransitionError } from './machine';
import type { DeployProvider, DeployTool, ToolRequest, ToolStatus } from './provider';
import { isTerminal, type RunState } from './states';
import { canRollback, deployedRecord, terraformRollback, type RollbackPlan } from './rollback';
import { resolveHealth, verifyHealth } from './health';
import {
  defaultContext,
  outsideProjectNotice,
  resolveTarget,
  DeployTargetError,
  toolOf,
  type DeployTarget,
  type ResolvedDeploySettings,
} from './target';
import { imageOf, lastPushedImage, pushedImageFor, usesPushedImage, type DeployImage } from './image';
import { buildSnapshot, type ActiveRun, type RunEvent, type RunHandle, type RunSnapshot } from './run';
import { recoverOrphanedRun, runningTool, stillRunningMessage, toolOutputBase } from './orphans';
import { readToolStatus, removeToolFiles, toolEnded } from '../process/survivor';
import { estimatePlanCost, type CostDeps } from '../cost/estimator';
import { costMeta } from '../cost/meta';
import { driftRecord, type DriftReport } from '../drift/model';
import { lastDeployedImage, lastDeployment } from '../drift/deployed';
import { evaluateGuardrails, findingText, guardrailContext, guardrailLines, type GuardrailReport } from '../guardrails';

// The plan-first engine: plan -> review -> approve(hash) -> apply exactly that plan, for Terraform and
// Pulumi alike. It owns run states (through the machine), one lock per environment, plan expiry and the
// journal records; providers only run their tools. Plain TypeScript: the VS Code layer, the panel and the
// CLI all drive this same object.

export const DEFAULT_EXPIRY_MINUTES = 30;
/** Who starts, approves and applies the rollback of an Unhealthy apply when `auto_rollback = true`. */
export const AUTO_ROLLBACK_WHO = 'auto-rollback';
const MAX_PROGRESS = 20_000;

export interface DeployRunnerOptions {
  /** The run history (a RunHistory: one per project folder, shared with the CLI and other windows). */
  journal: RunStore;
  /**
   * Environment locks. A function gives each project its own lock folder (`<project>/.helix/locks`), shared
   * by the extension and the headless CLI so they exclude each other.
   */
  locks: LockManager | ((project: { name: string; dir: string }) => LockManager);
  /**
   * Private folder whose `plans/` holds plan files (secrets in plain text: mode 0600, deleted when the run
   * ends); a function gives each project its own (`<project>/.helix`, cleaned when a history opens).
   */
  stateDir: string | ((project: { name: string; dir: string }) => string);
  /** One provider per tool; read on each use, so a slot may be a getter filled in after the engine exists. */
  providers: Partial<Record<DeployTool, DeployProvider>>;
  who: () => Promise<string> | string;
  expiryMinutes?: () => number;
  /** The redactor shared with the journal (a fresh one when omitted). */
  redactor?: Redactor;
  now?: () => number;
  /** Cost sources (Infracost, terraform show) read on each plan; without it, plans carry no estimate. */
  cost?: () => CostDeps | undefined;
  /** The conftest executable for `policy = { conftest = ... }` guardrails (default `conftest` on PATH). */
  conftest?: () => string;
}

export type { ActiveRun, RunEvent, RunHandle, RunSnapshot } from './run';

/** Finished runs kept in memory for snapshots and Re-plan (older ones are read from the journal only). */
const KEEP_FINISHED = 50;

export class DeployRunner {
  protected readonly active = new Map<string, ActiveRun>();
  /** The last drift report of each environment checked by this process (`<projectDir>#<environment>`). */
  private readonly drifts = new Map<string, { runId: string; report: DriftReport }>();
  protected readonly events = new Emitter<RunEvent>();
  protected readonly redactor: Redactor;
  protected readonly now: () => number;
  private readonly sub: { dispose(): void };

  /** State changes, log lines, progress and "model ready" of plan runs. */
  readonly onRunEvent: Event<RunEvent> = this.events.event;

  constructor(protected readonly opts: DeployRunnerOptions) {
    this.redactor = opts.redactor ?? new Redactor();
    this.now = opts.now ?? Date.now;
    this.sub = opts.journal.onDidChange((e) => {
      if (!this.active.has(e.run.id)) return;
      if (e.type === 'log') this.events.fire({ type: 'log', runId: e.run.id, lines: e.lines });
      else if (e.type === 'state' || e.type === 'begin') {
        this.events.fire({
          type: 'state',
          runId: e.run.id,
          state: e.run.state,
          previous: e.type === 'state' ? e.previous : undefined,
          run: e.run,
        });
      }
    });
  }

  get journal(): RunStore {
    return this.opts.journal;
  }

  /** Whether the tool of this environment can be used (shown on the environment, with a way to set the path). */
  async toolStatus(target: Pick<DeployTarget, 'environment'> & Partial<DeployTarget>): Promise<ToolStatus> {
    const tool = toolOf(target.environment);
    const provider = tool && this.opts.providers[tool];
    if (!tool || !provider) {
      return {
        state: 'missing',
        tool: tool ?? 'unknown',
        path: '',
        message: `No plan provider for environment "${target.environment.name}".`,
        setting: '',
      };
    }
    // With the project known, the environment's own settings count (a kubernetes environment's kubeconfig).
    let resolved: ResolvedDeploySettings | undefined;
    try {
      resolved = target.project ? resolveTarget(target as DeployTarget) : undefined;
    } catch {
      resolved = undefined; // a config error is reported when planning, with the key to fix
    }
    return provider.status(resolved ? { dir: resolved.dir, vars: resolved.vars } : undefined);
  }

  /**
   * Starts a plan (or a destroy plan). Throws DeployError (busy, tool missing, bad config, not-pushed: `${image}`
   * comes from the environment's pushes and there is none yet) before anything runs.
   */
  async startPlan(target: DeployTarget, opts: { destroy?: boolean } = {}): Promise<RunHandle> {
    const destroy = !!opts.destroy;
    // What was pushed is what deploys; a destroy needs no image but terraform still wants the variable.
    const image = destroy ? this.lastPushed(target) : pushedImageFor(this.opts.journal, target);
    const { id, a, provider } = await this.openRun(withImage(target, image), destroy ? 'destroy' : 'plan', 'Draft', {
      destroy,
      ...(image ? { image } : {}),
    });
    this.useImage(a, target, image);
    a.destroy = destroy;
    // Allowed, but never silent: the plan view and the log say where the planned folder is.
    const outside = outsideProjectNotice(target, a.resolved);
    if (outside) {
      a.notices = [outside];
      this.log(id, outside);
    }
    a.controller = new AbortController();
    a.done = this.executePlan(id, a, provider);
    return { id, done: a.done };
  }

  /**
   * Plans a rollback of the environment to its previous successful deployment, as a run of kind `rollback`
   * that is reviewed, approved and applied like any plan. Terraform/Pulumi re-plan with the variables the
   * previous successful apply recorded; Kubernetes plans each Deployment (or `deployment`) back to its
   * previous ReplicaSet's template. Throws DeployError('not-found') when there is nothing to roll back to.
   */
  async planRollback(target: DeployTarget, opts: { deployment?: string; who?: string } = {}): Promise<RunHandle> {
    let plan: RollbackPlan | undefined;
    const k8s = toolOf(target.environment) === 'kubernetes';
    // Kubernetes: `${rollback}` reaches the provider's vars (see resolveKubernetes in ./target.ts).
    const t: DeployTarget = k8s
      ? { ...target, context: { ...target.context, rollback: opts.deployment ?? '*' } }
      : target;
    const { id, a, provider } = await this.openRun(
      t,
      'rollback',
      'Draft',
      {},
      undefined,
      (current) => {
        if (k8s) return current;
        plan = terraformRollback(this.opts.journal, target, current);
        return plan.resolved;
      },
      opts.who,
    );
    a.rollback = true;
    // Kubernetes: the cluster's previous revision decides the image, not helix.deploy.toml: record none.
    if (k8s) a.context = { project: target.project.name, environment: target.environment.name };
    if (plan?.to) {
      a.context = (plan.to.meta?.deployed as { context?: Record<string, string> } | undefined)?.context;
      // The earlier deployment's image (by digest) is what the replayed variables deploy again.
      a.image = imageOf(plan.to);
      await this.opts.journal.patch(id, { rollbackTo: plan.to.id, ...(a.image ? { image: a.image } : {}) });
    }
    for (const line of plan?.notes ?? []) this.log(id, line);
    a.notices = plan?.notes.filter((n) => n.includes('cannot be replayed'));
    a.controller = new AbortController();
    a.done = this.executePlan(id, a, provider);
    return { id, done: a.done };
  }

  /** Whether this environment has an earlier successful deployment to roll back to (journal; cluster for Kubernetes). */
  canRollback(target: Pick<DeployTarget, 'project' | 'environment'>): boolean {
    return canRollback(
      this.opts.journal,
      toolOf(target.environment),
      target.project.name,
      target.environment.name,
      target.project.dir,
    );
  }

  /**
   * Everything before a run may start: settings resolved, tool present, environment lock taken, run
   * recorded. Throws DeployError (config, tool-missing, busy) with nothing recorded.
   */
  protected async openRun(
    target: DeployTarget,
    kind: 'plan' | 'destroy' | 'apply' | 'rollback' | 'drift',
    state: RunState,
    meta: Record<string, unknown> = {},
    precheck?: () => void,
    /** Replaces what the run plans with (a rollback's earlier variables); may throw DeployError. */
    adjust?: (resolved: ResolvedDeploySettings) => ResolvedDeploySettings,
    whoOverride?: string,
  ): Promise<{ id: string; a: ActiveRun; provider: DeployProvider; who: string }> {
    let resolved: ResolvedDeploySettings;
    try {
      resolved = resolveTarget(target);
      if (adjust) resolved = adjust(resolved);
    } catch (err) {
      if (err instanceof DeployTargetError) throw new DeployError('config', err.message, ['Open Settings']);
      throw err;
    }
    // Values pulled from the process environment (${env:NAME}) are how credentials reach the tools
    // (never written in helix.deploy.toml): treat them as secrets from the start.
    for (const v of resolved.secretValues) this.redactor.add(v);
    const provider = this.opts.providers[resolved.tool];
    if (!provider) throw new DeployError('tool-missing', `${resolved.tool} is not available in this build.`);
    const status = await provider.status({ dir: resolved.dir, vars: resolved.vars });
    if (status.state !== 'ok')
      throw new DeployError('tool-missing', status.message, ['Set Path'], { setting: status.setting });
    precheck?.();

    const who = whoOverride ?? (await this.opts.who());
    const id = newRunId();
    const lockKey = LockManager.key(target.project.name, target.environment.name);
    const locks = this.locksFor(target);
    let tookOver: LockInfo | undefined;
    try {
      tookOver = (await locks.acquire(lockKey, { runId: id, who, kind }, (h, dead) => this.lockIsStale(h, dead)))
        .tookOverFrom;
    } catch (err) {
      if (err instanceof EnvironmentBusyError) throw this.busyError(err);
      throw err;
    }
    const a: ActiveRun = {
      target,
      resolved,
      tool: resolved.tool,
      destroy: false,
      lockKey,
      locks,
      binding: true,
      progress: [],
    };
    this.active.set(id, a); // before begin(), so its first event reaches onRunEvent
    try {
      await this.opts.journal.begin({
        id,
        kind,
        who,
        state,
        project: target.project.name,
        projectDir: target.project.dir,
        environment: target.environment.name,
        // toolOutput: where its tools write output and exit status, so a later process can find an orphan.
        meta: {
          tool: resolved.tool,
          dir: resolved.dir,
          workspace: resolved.workspace,
          toolOutput: toolOutputBase(this.stateDirFor(target), id),
          ...meta,
        },
      });
    } catch (err) {
      this.active.delete(id);
      await locks.release(lockKey, id);
      throw err;
    }
    if (tookOver)
      this.log(
        id,
        `Took over the environment lock of run ${tookOver.runId} (${tookOver.who}, since ${tookOver.since}): that run is no longer active.`,
      );
    return { id, a, provider, who };
  }

  /**
   * Checks drift: a run of kind `drift` (Running -> Succeeded | Failed | Cancelled) that holds the environment
   * lock while its tool reads (so never beside a plan or apply of it) and records the drifted addresses.
   * The full report (redacted attribute diffs) resolves `done`. Throws DeployError before anything runs.
   */
  async startDriftCheck(
    target: DeployTarget,
  ): Promise<{ id: string; done: Promise<{ run: RunRecord; report?: DriftReport }> }> {
    // Measured against what is deployed: the image of the last apply, else the last push.
    const image =
      lastDeployedImage(this.opts.journal, target.project.name, target.environment.name, target.project.dir) ??
      this.lastPushed(target);
    const tool = toolOf(target.environment);
    const { id, a, provider } = await this.openRun(
      withImage(target, image),
      'drift',
      'Running',
      image ? { image } : {},
      () => {
        if (!this.opts.providers[tool!]?.drift)
          throw new DeployError('tool-missing', `Drift checks are not available for ${tool} environments.`);
        // Terraform/Pulumi compare with their state; Kubernetes with what helix-deploy applied, so it needs an apply.
        if (
          tool === 'kubernetes' &&
          !lastDeployment(this.opts.journal, target.project.name, target.environment.name, target.project.dir)
        ) {
          throw new DeployError(
            'not-found',
            `Nothing to compare: helix-deploy has not deployed ${target.environment.name} from this project yet. Drift of a Kubernetes environment is measured against its last deployment.`,
          );
        }
      },
    );
    a.controller = new AbortController();
    const done = (async () => {
      const scratchFile = path.join(this.stateDirFor(target), 'plans', `${id}.drift`);
      let report: DriftReport | undefined;
      try {
        await fs.promises.mkdir(path.dirname(scratchFile), { recursive: true, mode: 0o700 });
        // Read-only tools run attached (no survivor files, no recorded pid): a crash may simply kill them.
        const res = await provider.drift!({
          ...this.request(id, a),
          outputBase: undefined,
          spawned: undefined,
          scratchFile,
        });
        report = res.outcome === 'cancelled' ? undefined : res.report;
        if (res.outcome === 'cancelled') await this.finish(id, 'Cancelled', res.error ?? 'Cancelled.');
        else if (res.outcome === 'errored') await this.finish(id, 'Failed', res.error);
        else {
          const rec = driftRecord(res.report);
          this.drifts.set(`${target.project.dir}#${target.environment.name}`, { runId: id, report: res.report });
          this.log(
            id,
            rec.count
              ? `Drift: ${rec.count} resource(s) changed outside ${a.tool}: ${rec.resources.join(', ')}`
              : 'No drift.',
          );
          await this.finish(id, 'Succeeded', undefined, { drift: rec });
        }
      } catch (err) {
        const run = this.opts.journal.get(id);
        if (run && !isTerminal(run.state)) await this.finish(id, 'Failed', this.message(err)).catch(() => undefined);
      }
      // A drift run has nothing to approve or re-plan: it is not kept among the open plan runs.
      this.active.delete(id);
      return { run: this.opts.journal.get(id)!, report };
    })();
    a.done = done.then(() => this.snapshot(id)!);
    return { id, done };
  }

  /** The last drift report of an environment from this process (the history keeps addresses only). */
  lastDrift(projectDir: string, environment: string): { runId: string; report: DriftReport } | undefined {
    return this.drifts.get(`${projectDir}#${environment}`);
  }

  /** Approves exactly the plan the reviewer saw: `planHash` must be the snapshot's planHash. */
  async approve(runId: string, planHash: string, who?: string): Promise<RunSnapshot> {
    const a = this.require(runId);
    return this.exclusive(a, runId, () => this.doApprove(runId, a, planHash, who));
  }

  private async doApprove(runId: string, a: ActiveRun, planHash: string, who?: string): Promise<RunSnapshot> {
    const run = this.opts.journal.get(runId)!;
    await this.checkExpiry(runId, a);
    this.assert(run, 'Approved');
    // The rules may have changed since the plan was reviewed: what they deny now is not approved either.
    const guardrails = run.meta?.noChanges ? undefined : await this.checkGuardrails(runId, a, false);
    if (guardrails) await this.opts.journal.patch(runId, { guardrails });
    this.refuseDenied(runId, a);
    if (!a.planHash || planHash !== a.planHash) {
      throw new DeployError(
        'hash-mismatch',
        'This is not the plan that was reviewed (its hash differs). Review the current plan and approve it again.',
        ['Show Plan'],
        { runId },
      );
    }
    if (a.planFile && (await hashFile(a.planFile)) !== a.planHash) {
      await this.finish(
        runId,
        'Cancelled',
        'The plan file changed on disk after planning; it was discarded. Nothing was applied.',
      );
      throw new DeployError(
        'tampered',
        'The plan file changed on disk after planning, so it cannot be approved. Re-plan.',
        ['Re-plan'],
        { runId },
      );
    }
    await this.opts.journal.transition(runId, 'Approved', {
      meta: { approvedBy: who ?? (await this.opts.who()), approvedAt: new Date(this.now()).toISOString() },
    });
    return this.snapshot(runId)!;
  }

  /** Applies the approved plan (exactly that file: its hash is checked again right before the tool runs). */
  async startApply(runId: string): Promise<RunHandle> {
    const a = this.require(runId);
    return this.exclusive(a, runId, async () => {
      const run = this.opts.journal.get(runId)!;
      await this.checkExpiry(runId, a);
      this.assert(run, 'Applying');
      this.refuseDenied(runId, a);
      const provider = this.opts.providers[a.tool]!;
      // From here on a cancel must reach the apply (the controller exists before the state says Applying).
      a.controller = new AbortController();
      const applying = this.opts.journal.transition(runId, 'Applying');
      // `done` is set before any await, so a cancel arriving meanwhile waits for this apply's outcome.
      a.done = applying.then(
        () => this.executeApply(runId, a, provider),
        () => this.snapshot(runId)!,
      );
      await applying;
      return { id: runId, done: a.done };
    });
  }

  private async exclusive<T>(a: ActiveRun, runId: string, fn: () => Promise<T>): Promise<T> {
    if (a.busy)
      throw new DeployError('illegal', `Run ${runId}: another approve/apply of this run is in progress.`, [], {
        runId,
      });
    a.busy = true;
    try {
      return await fn();
    } finally {
      a.busy = false;
    }
  }

  /**
   * Cancels: a running plan/apply gets an interrupt and the call waits until the tool stopped cleanly;
   * a plan waiting for approval or apply is discarded.
   */
  async cancel(runId: string, who?: string): Promise<RunSnapshot | undefined> {
    const a = this.active.get(runId);
    const run = this.opts.journal.get(runId);
    if (!run) throw new DeployError('not-found', `No run ${runId}.`);
    if (isTerminal(run.state)) return this.snapshot(runId);
    // The history is shared with the CLI and other windows: a run another live process owns is theirs to cancel.
    if (!a && run.pid !== undefined && run.pid !== process.pid && run.host === os.hostname() && pidAlive(run.pid)) {
      throw new DeployError(
        'illegal',
        `Run ${runId} belongs to another process (pid ${run.pid}, ${run.who}); cancel it there.`,
        [],
        { runId },
      );
    }
    if (a?.controller) {
      this.log(
        runId,
        a.checkingHealth
          ? `Cancel requested${who ? ` by ${who}` : ''}: the apply is done; stopping the health check (health is recorded as unknown).`
          : `Cancel requested${who ? ` by ${who}` : ''}: interrupting ${a.tool} and waiting for it to stop cleanly.`,
      );
      a.controller.abort();
      return a.done;
    }
    // The tool already ended and its outcome is being recorded: that outcome stands (never "discarded").
    if (a?.done && (run.state === 'Planning' || run.state === 'Applying')) return a.done;
    await this.finish(runId, 'Cancelled', `Discarded${who ? ` by ${who}` : ''}. Nothing was applied.`);
    return this.snapshot(runId);
  }

  /** Drops a plan waiting for approval/apply. */
  async discard(runId: string, who?: string): Promise<RunSnapshot | undefined> {
    const run = this.opts.journal.get(runId);
    if (run && (run.state === 'Planning' || run.state === 'Applying')) {
      throw new DeployError('illegal', `Run ${runId} is ${run.state}; cancel it instead of discarding it.`, [], {
        runId,
      });
    }
    return this.cancel(runId, who);
  }

  /** Discards the run if still open and plans again for the same environment. */
  async replan(runId: string): Promise<RunHandle> {
    const a = this.require(runId);
    const run = this.opts.journal.get(runId)!;
    if (!isTerminal(run.state)) await this.cancel(runId);
    if (a.rollback)
      return this.planRollback(a.target, {
        deployment:
          typeof a.resolved.vars.rollback === 'string' && a.resolved.vars.rollback !== '*'
            ? a.resolved.vars.rollback
            : undefined,
      });
    return this.startPlan(a.target, { destroy: a.destroy });
  }

  snapshot(runId: string): RunSnapshot | undefined {
    const run = this.opts.journal.get(runId);
    return run ? buildSnapshot(run, this.active.get(runId)) : undefined;
  }

  /** Lines [from, from + count) of a run's whole log; undefined when the journal keeps no log files. */
  readLog(
    runId: string,
    from: number,
    count: number,
  ): Promise<{ lines: string[]; total: number; from: number }> | undefined {
    return this.opts.journal.readLog?.(runId, from, count);
  }

  /** Plan-first runs of the journal (newest first). */
  list(
    filter: { project?: string; projectDir?: string; environment?: string; active?: boolean; limit?: number } = {},
  ): RunRecord[] {
    return this.opts.journal.list({ ...filter, kind: ['plan', 'destroy', 'apply', 'rollback'] });
  }

  async dispose(): Promise<void> {
    // Running tools get their interrupt and are waited for; plans waiting for approval stay in the
    // journal and become Interrupted when it is next opened.
    for (const a of this.active.values()) {
      if (a.timer) clearTimeout(a.timer);
      if (a.controller) {
        a.controller.abort();
        await a.done;
      }
    }
    this.sub.dispose();
    this.events.dispose();
  }

  // ---- execution ----

  private async executePlan(id: string, a: ActiveRun, provider: DeployProvider): Promise<RunSnapshot> {
    a.controller ??= new AbortController();
    try {
      await this.opts.journal.transition(id, 'Planning');
      const dir = path.join(this.stateDirFor(a.target), 'plans');
      await fs.promises.mkdir(dir, { recursive: true, mode: 0o700 });
      a.planFile = path.join(dir, `${id}.${a.tool === 'terraform' ? 'tfplan' : 'plan.json'}`);
      if (a.controller.signal.aborted) return await this.finish(id, 'Cancelled', 'Cancelled before the tool started.');
      const res = await provider.plan({ ...this.request(id, a), destroy: a.destroy, planFile: a.planFile });
      a.controller = undefined;
      a.binding = res.binding;
      if (res.model) {
        a.model = a.notices?.length
          ? { ...res.model, notices: [...(res.model.notices ?? []), ...a.notices] }
          : res.model;
        if (a.image) a.model = { ...a.model, image: a.image };
        this.events.fire({ type: 'model', runId: id });
      }
      if (res.outcome === 'cancelled') return await this.finish(id, 'Cancelled', res.error ?? 'Cancelled.');
      if (res.outcome === 'errored')
        return await this.finish(id, 'PlanFailed', res.error ?? 'The plan failed.', { errorCode: res.errorCode });
      if (fs.existsSync(a.planFile)) await fs.promises.chmod(a.planFile, 0o600);
      if (await this.estimateCost(id, a))
        return await this.finish(id, 'Cancelled', 'Cancelled while estimating the cost. Nothing was applied.');
      a.planHash = await hashFile(a.planFile);
      const guardrails = await this.checkGuardrails(id, a, res.outcome === 'no-changes');
      const minutes = this.opts.expiryMinutes?.() ?? DEFAULT_EXPIRY_MINUTES;
      a.expiresAt = this.now() + minutes * 60_000;
      const m = res.model!;
      await this.opts.journal.transition(id, 'Planned', {
        meta: {
          planHash: a.planHash,
          expiresAt: new Date(a.expiresAt).toISOString(),
          summary: m.summary,
          noChanges: res.outcome === 'no-changes',
          binding: res.binding,
          ...costMeta(a.model),
          ...(guardrails ? { guardrails } : {}),
        },
      });
      a.timer = setTimeout(() => void this.expire(id).catch(() => undefined), Math.max(0, a.expiresAt - this.now()));
      a.timer.unref?.();
    } catch (err) {
      a.controller = undefined;
      const run = this.opts.journal.get(id);
      if (run && !isTerminal(run.state))
        await this.finish(
          id,
          run.state === 'Draft' || run.state === 'Planning' ? 'PlanFailed' : 'Cancelled',
          this.message(err),
        ).catch(() => undefined);
    }
    return this.snapshot(id)!;
  }

  /**
   * Adds the cost estimate (and a budget warning) to the planned model. Interruptible like the tool (Infracost
   * runs under the run's controller); returns true when cancelled meanwhile. Never fails the plan.
   */
  private async estimateCost(id: string, a: ActiveRun): Promise<boolean> {
    const deps = this.opts.cost?.();
    if (!deps || !a.model || !a.planFile) return false;
    const controller = (a.controller = new AbortController());
    try {
      const c = await estimatePlanCost(
        {
          model: a.model,
          environment: a.target.environment,
          projectDir: a.target.project.dir,
          dir: a.resolved.dir,
          planFile: a.planFile,
          signal: controller.signal,
        },
        deps,
      );
      if (controller.signal.aborted) return true;
      // A tool's error text may quote the plan: masked like every other text the model carries.
      for (const p of c.estimate.problems) p.message = this.redactor.redact(p.message);
      a.model = { ...a.model, cost: c.estimate, ...(c.budget ? { budgetWarning: c.budget } : {}) };
      for (const p of c.estimate.problems) this.log(id, `Cost: ${p.message}`);
      if (c.budget) this.log(id, `Warning: ${c.budget.message}`);
      this.events.fire({ type: 'model', runId: id });
    } catch (err) {
      this.log(id, `Cost: no estimate: ${this.message(err)}`);
    } finally {
      a.controller = undefined;
    }
    return controller.signal.aborted;
  }

  /**
   * Runs the guardrails on the completed plan (before it can be approved): the report goes on the model the
   * panel and the CLI show, and its findings into the run log and record. Nothing to apply, nothing to check.
   */
  protected async checkGuardrails(id: string, a: ActiveRun, noChanges: boolean): Promise<GuardrailReport | undefined> {
    if (!a.model || noChanges) return undefined;
    const env = a.target.environment;
    const ctx = guardrailContext(a.target.project.dir, env.name, !!env.protected);
    const report = await evaluateGuardrails(a.model, ctx, {
      conftest: {
        executable: this.opts.conftest?.() || 'conftest',
        workDir: path.join(this.stateDirFor(a.target), 'plans'),
        signal: a.controller?.signal,
      },
    });
    report.findings = report.findings.map((f) => ({ ...f, message: this.redactor.redact(f.message) }));
    a.model = { ...a.model, guardrails: report };
    if (report.findings.length) for (const line of guardrailLines(report)) this.log(id, line);
    this.events.fire({ type: 'model', runId: id });
    return report;
  }

  /** A plan a guardrail denies is never approved or applied, whatever the caller (panel, CLI, another window). */
  protected refuseDenied(runId: string, a: ActiveRun): void {
    const denied = a.model?.guardrails?.findings.filter((f) => f.severity === 'deny') ?? [];
    if (!denied.length) return;
    throw new DeployError(
      'guardrail-denied',
      `Blocked by guardrails: ${denied.map(findingText).join('; ')}`,
      ['Show Plan'],
      { runId },
    );
  }

  protected async executeApply(id: string, a: ActiveRun, provider: DeployProvider): Promise<RunSnapshot> {
    a.controller ??= new AbortController();
    try {
      if (a.timer) clearTimeout(a.timer);
      if (!a.planFile || !fs.existsSync(a.planFile) || (await hashFile(a.planFile)) !== a.planHash) {
        a.controller = undefined;
        return await this.finish(
          id,
          'ApplyFailed',
          'Refused: the plan file is missing or changed after approval. Nothing was applied. Re-plan.',
          { errorCode: 'tampered' },
        );
      }
      a.progress = [];
      if (a.controller.signal.aborted) {
        a.controller = undefined;
        return await this.finish(id, 'Cancelled', 'Cancelled before the tool started. Nothing was applied.');
      }
      // What is being deployed, secrets left out: what a later rollback re-plans (./rollback.ts). Recorded
      // before the tool runs, so an apply that completes after this process died still gets it (./orphans.ts).
      const deployed = a.destroy
        ? undefined
        : (a.deployed ?? deployedRecord(a.resolved, a.context ?? defaultContext(a.target), this.redactor));
      if (deployed) await this.opts.journal.patch(id, { deploying: deployed });
      const res = await provider.apply({ ...this.request(id, a), planFile: a.planFile, destroy: a.destroy });
      a.controller = undefined;
      const outputs = res.outputs ? this.redactDeep(res.outputs) : undefined;
      switch (res.outcome) {
        case 'applied': {
          const meta = { ...(outputs ? { outputs } : {}), ...(deployed ? { deployed } : {}) };
          // A destroy removed what health would probe.
          if (a.destroy) return await this.finish(id, 'Applied', undefined, meta);
          return await this.verifyAndFinish(id, a, res.outputs, meta);
        }
        case 'stale':
          return await this.finish(id, 'Expired', res.error ?? 'The plan is stale. Re-plan.', { errorCode: 'stale' });
        case 'cancelled':
          return await this.finish(id, 'Cancelled', res.error ?? 'Cancelled.');
        case 'locked':
          return await this.finish(id, 'ApplyFailed', res.error ?? 'The state is locked.', {
            errorCode: 'state-locked',
          });
        default:
          return await this.finish(id, 'ApplyFailed', res.error ?? 'The apply failed.', { errorCode: 'failed' });
      }
    } catch (err) {
      a.controller = undefined;
      const run = this.opts.journal.get(id);
      if (run && !isTerminal(run.state)) await this.finish(id, 'ApplyFailed', this.message(err)).catch(() => undefined);
      return this.snapshot(id)!;
    }
  }

  /**
   * The health step of every apply and rollback: probes the environment's `health` (outputs from the apply),
   * records the verdict in the run, ends it Applied or Unhealthy; an Unhealthy one with `auto_rollback = true`
   * starts its rollback before `done` resolves (so the CLI waits for it too).
   */
  private async verifyAndFinish(
    id: string,
    a: ActiveRun,
    rawOutputs: Record<string, unknown> | undefined,
    meta: Record<string, unknown>,
  ): Promise<RunSnapshot> {
    // Cancel during the health step stops the probing; the apply itself already happened.
    a.controller = new AbortController();
    a.checkingHealth = true;
    const verdict = await verifyHealth(resolveHealth(a.target.environment, rawOutputs), (line) => this.log(id, line), {
      signal: a.controller.signal,
    });
    a.controller = undefined;
    a.checkingHealth = false;
    const recorded = {
      ...verdict,
      healthChecks: verdict.healthChecks.map((c) => ({ ...c, url: this.redactor.redact(c.url) })),
    };
    if (verdict.health !== 'unhealthy') {
      this.log(id, `Health: ${verdict.health} (${verdict.healthReason}).`);
      return this.finish(id, 'Applied', undefined, { ...meta, ...recorded });
    }
    const auto = a.target.environment.settings?.auto_rollback === true;
    this.log(
      id,
      `Health: unhealthy (${verdict.healthReason}). ${auto ? 'auto_rollback = true: rolling back to the previous healthy deployment.' : 'Roll back to the previous healthy deployment, or fix and apply again.'}`,
    );
    const snap = await this.finish(id, 'Unhealthy', `Applied, but the health check failed: ${verdict.healthReason}`, {
      ...meta,
      ...recorded,
    });
    return auto ? this.autoRollback(id, a, snap) : snap;
  }

  /** Plans the rollback of an Unhealthy run; applies it unless the environment is protected (then it waits for approval). */
  private async autoRollback(id: string, a: ActiveRun, snap: RunSnapshot): Promise<RunSnapshot> {
    const note = (line: string) => this.log(id, `Auto-rollback: ${line}`);
    // Rolling a failed rollback back again would swap between two bad deployments: a person decides.
    if (a.rollback) {
      note('not started: this run is itself a rollback.');
      return this.snapshot(id)!;
    }
    let handle: RunHandle;
    try {
      handle = await this.planRollback(a.target, { who: AUTO_ROLLBACK_WHO });
    } catch (err) {
      note(`not started: ${this.message(err)}`);
      return this.snapshot(id)!;
    }
    await this.opts.journal.patch(id, { autoRollback: handle.id }).catch(() => undefined);
    const planned = await handle.done;
    if (planned.run.state !== 'Planned') {
      note(
        `the rollback plan (run ${handle.id}) ended ${planned.run.state}${planned.run.error ? `: ${planned.run.error}` : ''}.`,
      );
      return this.snapshot(id)!;
    }
    if (a.target.environment.protected) {
      note(`run ${handle.id} is planned and waits for approval (${a.target.environment.name} is protected).`);
      return this.snapshot(id)!;
    }
    try {
      await this.approve(handle.id, planned.planHash!, AUTO_ROLLBACK_WHO);
      const done = await (await this.startApply(handle.id)).done;
      note(
        `run ${handle.id} ended ${done.run.state}${done.run.meta?.health ? ` (health ${String(done.run.meta.health)})` : ''}.`,
      );
    } catch (err) {
      note(`run ${handle.id} could not be applied: ${this.message(err)}`);
    }
    return this.snapshot(id) ?? snap;
  }

  private request(id: string, a: ActiveRun): ToolRequest {
    return {
      runId: id,
      dir: a.resolved.dir,
      vars: a.resolved.vars,
      workspace: a.resolved.workspace,
      signal: a.controller!.signal,
      redactor: this.redactor,
      log: (line) => this.log(id, line),
      progress: (event) => {
        if (a.progress.length < MAX_PROGRESS) a.progress.push(event);
        this.events.fire({ type: 'progress', runId: id, event });
      },
      spawned: (pid) => void this.opts.journal.patch(id, { toolPid: pid }).catch(() => undefined),
      outputBase: this.toolOutput(id),
    };
  }

  private toolOutput(id: string): string {
    const base = this.opts.journal.get(id)?.meta?.toolOutput;
    if (typeof base === 'string') return base;
    const a = this.active.get(id);
    if (!a) throw new DeployError('not-found', `No run ${id} open in this process.`);
    return toolOutputBase(this.stateDirFor(a.target), id);
  }

  /** Ends a run in a terminal state: journal, lock released, plan file (secrets) deleted, timer cleared. */
  protected async finish(
    id: string,
    state: RunState,
    error?: string,
    meta?: Record<string, unknown>,
  ): Promise<RunSnapshot> {
    const a = this.active.get(id);
    const run = this.opts.journal.get(id)!;
    const ending = !isTerminal(run.state);
    if (ending) assertTransition(run.kind, run.state, state, id);
    if (a) {
      if (a.timer) clearTimeout(a.timer);
      a.timer = undefined;
      a.controller = undefined;
      // The plan file holds secrets in plain text: gone before the run is recorded as over.
      if (a.planFile) await fs.promises.rm(a.planFile, { force: true }).catch(() => undefined);
    }
    // The tool's own exit (status file of ../process/survivor.ts) goes into the record: what really happened.
    const output = this.toolOutput(id);
    const status = readToolStatus(output);
    const toolExit =
      status && toolEnded(status)
        ? {
            command: status.command,
            code: status.code ?? null,
            signal: status.signal ?? null,
            interrupt: status.interrupt ?? null,
          }
        : undefined;
    // Re-check: another path (expiry timer, cancel) may have ended it while the file was removed.
    if (ending && !isTerminal(this.opts.journal.get(id)!.state)) {
      await this.opts.journal.end(
        id,
        state,
        error === undefined ? undefined : this.redactor.redact(error),
        toolExit ? { ...meta, toolExit } : meta,
      );
    }
    // Unredacted tool output: removed once the outcome is recorded (not before: a crash in between leaves
    // the files for the next process to read the outcome from).
    if (isTerminal(this.opts.journal.get(id)!.state)) await removeToolFiles(output);
    if (a) await a.locks.release(a.lockKey, id).catch(() => undefined);
    this.forgetOldRuns();
    return this.snapshot(id)!;
  }

  private async expire(id: string): Promise<void> {
    const run = this.opts.journal.get(id);
    if (!run || (run.state !== 'Planned' && run.state !== 'Approved')) return;
    const minutes = this.opts.expiryMinutes?.() ?? DEFAULT_EXPIRY_MINUTES;
    await this.finish(
      id,
      'Expired',
      `The plan expired: it was not applied within ${minutes} minutes of planning. Re-plan to review a fresh plan.`,
    );
  }

  private async checkExpiry(id: string, a: ActiveRun): Promise<void> {
    const run = this.opts.journal.get(id)!;
    if ((run.state === 'Planned' || run.state === 'Approved') && a.expiresAt !== undefined && this.now() >= a.expiresAt)
      await this.expire(id);
    if (this.opts.journal.get(id)!.state === 'Expired') {
      throw new DeployError('expired', this.opts.journal.get(id)!.error ?? 'The plan expired. Re-plan.', ['Re-plan'], {
        runId: id,
      });
    }
  }

  private assert(run: RunRecord, to: RunState): void {
    try {
      assertTransition(run.kind, run.state, to, run.id);
    } catch (err) {
      if (err instanceof IllegalTransitionError) {
        const actions: RunAction[] = run.state === 'Expired' || run.state === 'Cancelled' ? ['Re-plan'] : [];
        throw new DeployError('illegal', err.message, actions, { runId: run.id });
      }
      throw err;
    }
  }

  /** The lock's holder run finished, expired, or its process died without an orphan tool still running. */
  private async lockIsStale(holder: LockInfo, ownerDead: boolean): Promise<boolean> {
    const run = this.opts.journal.get(holder.runId);
    if (ownerDead) {
      if (!run) return true;
      if (runningTool(run)) return false; // an orphaned tool still changes things: see busyError
      if (!isTerminal(run.state) && !this.active.has(run.id)) {
        // Its tool ended after this journal was opened: record the outcome it shows now.
        const found = await recoverOrphanedRun(run).catch(() => undefined);
        if (found && found !== 'keep' && isTerminal(found.state))
          await this.opts.journal.end(run.id, found.state, found.error, found.meta).catch(() => undefined);
        else if (found !== 'keep')
          await this.opts.journal
            .end(
              run.id,
              'Interrupted',
              `Interrupted: the process running it stopped before it finished. It was ${run.state}.`,
              { interruptedFrom: run.state },
            )
            .catch(() => undefined);
      }
      return true;
    }
    if (!run) return false; // owned by another live process with its own journal (e.g. the CLI)
    if (isTerminal(run.state)) return true;
    const a = this.active.get(run.id);
    if (
      a &&
      (run.state === 'Planned' || run.state === 'Approved') &&
      a.expiresAt !== undefined &&
      this.now() >= a.expiresAt
    ) {
      await this.expire(run.id);
      return true;
    }
    return false;
  }

  private busyError(err: EnvironmentBusyError): DeployError {
    const run = this.opts.journal.get(err.holder.runId);
    const ownerDead = err.holder.host === os.hostname() && !pidAlive(err.holder.pid);
    const tool = run && (ownerDead || isTerminal(run.state)) ? runningTool(run) : undefined;
    let msg = err.message;
    if (run && tool) msg += `; ${stillRunningMessage(run, tool)}.`;
    return new DeployError('busy', msg, ['Show Run'], { runId: err.holder.runId });
  }

  private forgetOldRuns(): void {
    const finished = [...this.active.keys()].filter((id) => {
      const r = this.opts.journal.get(id);
      return !r || isTerminal(r.state);
    });
    // Run ids sort by time: drop the oldest finished ones.
    finished.sort();
    for (const id of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED))) this.active.delete(id);
  }

  /** Whole values equal to a secret, and secrets inside longer strings. */
  private redactDeep(v: Record<string, unknown>): Record<string, unknown> {
    const whole = redactValue(v, (x) => this.redactor.isSecret(x));
    return JSON.parse(JSON.stringify(whole), (_k, x) => (typeof x === 'string' ? this.redactor.redact(x) : x));
  }

  /** The last successful push of the environment when its `${image}` comes from pushes (no refusal). */
  protected lastPushed(target: DeployTarget): DeployImage | undefined {
    return usesPushedImage(target)
      ? lastPushedImage(this.opts.journal, target.project.name, target.environment.name, target.project.dir)?.image
      : undefined;
  }

  /** The run keeps the target as given (Re-plan resolves the latest push again) and the image it used. */
  protected useImage(a: ActiveRun, target: DeployTarget, image: DeployImage | undefined): void {
    if (!image) return;
    a.image = image;
    a.context = defaultContext(withImage(target, image));
    a.target = target;
  }

  protected stateDirFor(target: DeployTarget): string {
    return typeof this.opts.stateDir === 'function' ? this.opts.stateDir(target.project) : this.opts.stateDir;
  }

  protected locksFor(target: DeployTarget): LockManager {
    return typeof this.opts.locks === 'function' ? this.opts.locks(target.project) : this.opts.locks;
  }

  protected log(id: string, line: string): void {
    void this.opts.journal.appendLog(id, this.redactor.redact(line));
  }

  protected message(err: unknown): string {
    return this.redactor.redact(messageOf(err));
  }

  protected require(runId: string): ActiveRun {
    const a = this.active.get(runId);
    if (!a) {
      const run = this.opts.journal.get(runId);
      throw new DeployError(
        'not-found',
        run ? `Run ${runId} is ${run.state} and no longer open in this window.` : `No run ${runId}.`,
        ['Re-plan'],
        { runId },
      );
    }
    return a;
  }
}

export async function hashFile(file: string): Promise<string> {
  const h = createHash('sha256');
  h.update(await fs.promises.readFile(file));
  return h.digest('hex');
}

/** The target with `${image}` set to the pushed image's digest reference. */
export function withImage(target: DeployTarget, image: DeployImage | undefined): DeployTarget {
  return image ? { ...target, context: { ...target.context, image: image.ref } } : target;
}
