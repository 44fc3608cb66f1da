import { isOfProject } from '../core/model/environment-ref';
import * as vscode from 'vscode';
import type { Container } from '../container';
import type { RunSnapshot } from '../core/engine/engine';
import { DeployError } from '../core/engine/errors';
import type { LazyDeployRunner } from '../core/engine/lazy';
import type { DeployTool, ToolStatus } from '../core/engine/provider';
import { toolOf, type DeployTarget } from '../core/engine/target';
import { deployTargetFor } from '../core/engine/target';
import { summaryLine } from '../core/plan/model';
import { renderPlan } from '../core/plan/render';
import type { Environment, Project } from '../core/model/types';
import type { ToolStates } from '../services/deploy/tools';
import { pickEnvironment } from '../ui/pickEnvironment';
import { withProgress } from '../ui/progress';

// The palette/tree flows over the engine: pick an environment or run, show progress with cancellation,
// turn engine errors into messages with their actions (Re-plan, Show Run, Set Path).

// `run`: a run row of the Deployments view (its Roll Back action on an Unhealthy run).
type EnvArg =
  | {
      project?: Project;
      environment?: Environment;
      run?: { project: string; projectDir?: string; environment: string };
    }
  | undefined;
type RunArg = string | { runId?: string; run?: { id: string } } | undefined;

export class DeployFlows {
  constructor(
    private readonly c: Container,
    private readonly engine: LazyDeployRunner,
    private readonly tools: ToolStates,
  ) {}

  async plan(arg: EnvArg, destroy: boolean): Promise<void> {
    const target = await this.pickTarget(arg, destroy ? 'Plan Destroy' : 'Plan');
    if (!target) return;
    await this.guard(target, async () => {
      const handle = await this.engine.startPlan(target, { destroy });
      const snap = await this.follow(
        handle.id,
        handle.done,
        `${destroy ? 'Planning destroy of' : 'Planning'} ${target.environment.name}`,
      );
      await this.afterPlan(snap, target);
    });
  }

  /** Plans a rollback to the previous successful deployment (a run of kind `rollback`), then the usual review. */
  async rollback(arg: (EnvArg & { deployment?: string }) | undefined): Promise<void> {
    const target = await this.pickTarget(arg, 'Roll Back');
    if (!target) return;
    await this.guard(target, async () => {
      const handle = await this.engine.planRollback(target, { deployment: arg?.deployment });
      const snap = await this.follow(handle.id, handle.done, `Planning a rollback of ${target.environment.name}`);
      await this.afterPlan(snap, target);
    });
  }

  async approve(arg: RunArg): Promise<void> {
    const snap = await this.pickRun(arg, 'Planned', 'Approve Plan');
    if (!snap) return;
    await this.guard(undefined, async () => {
      if (!(await this.confirmProtected(snap, 'approve'))) return;
      await this.engine.approve(snap.run.id, snap.planHash!);
      const go = await vscode.window.showInformationMessage(
        `Plan for ${snap.run.environment} approved: ${summaryLine(snap.model!.summary)}.`,
        'Apply',
      );
      if (go === 'Apply') await this.apply(snap.run.id);
    });
  }

  async apply(arg: RunArg): Promise<void> {
    const snap = await this.pickRun(arg, 'Approved', 'Apply Approved Plan');
    if (!snap) return;
    await this.guard(undefined, async () => {
      const handle = await this.engine.startApply(snap.run.id);
      const done = await this.follow(handle.id, handle.done, `Applying ${snap.run.environment}`);
      this.report(done);
    });
  }

  async cancel(arg: RunArg): Promise<void> {
    const snap = await this.pickRun(arg, ['Draft', 'Planning', 'Planned', 'Approved', 'Applying'], 'Cancel Run');
    if (!snap) return;
    await this.guard(undefined, async () => {
      const done = await this.engine.cancel(snap.run.id);
      if (done)
        void vscode.window.showInformationMessage(`Run ${done.run.id} on ${done.run.environment}: ${done.run.state}.`);
    });
  }

  async replan(arg: RunArg): Promise<void> {
    const snap = await this.pickRun(arg, undefined, 'Re-plan');
    if (!snap) return;
    await this.guard(undefined, async () => {
      const handle = await this.engine.replan(snap.run.id);
      const done = await this.follow(handle.id, handle.done, `Re-planning ${snap.run.environment}`);
      await this.afterPlan(done);
    });
  }

  async showPlan(arg: RunArg): Promise<void> {
    const snap = await this.pickRun(arg, undefined, 'Show Plan');
    if (!snap?.model) {
      if (snap)
        void vscode.window.showInformationMessage(`Run ${snap.run.id} has no plan to show (${snap.run.state}).`);
      return;
    }
    const doc = await vscode.workspace.openTextDocument({
      content: renderPlan(snap.model, { attributes: true }),
      language: 'plaintext',
    });
    await vscode.window.showTextDocument(doc, { preview: true });
  }

  /** The run's journal record and log (already redacted). */
  async showRun(runId: string | undefined): Promise<void> {
    const engine = await this.engine.get();
    const run = runId ? engine.journal.get(runId) : undefined;
    if (!run) {
      void vscode.window.showWarningMessage(
        runId
          ? `Run ${runId} is not in this window's history (it may belong to the CLI in a terminal).`
          : 'No run given.',
      );
      return;
    }
    const head = [
      `Run ${run.id}: ${run.kind} ${run.project}/${run.environment} by ${run.who}`,
      `State: ${run.state}${run.error ? ` - ${run.error}` : ''}`,
      `Started: ${run.startedAt}${run.endedAt ? `, ended ${run.endedAt}` : ''}`,
      '',
    ];
    const doc = await vscode.workspace.openTextDocument({ content: [...head, ...run.log].join('\n'), language: 'log' });
    await vscode.window.showTextDocument(doc, { preview: true });
  }

  /** Tool state per kind in use: context keys + one warning (not an error) per missing tool. */
  async checkTools(quiet = false): Promise<void> {
    // Asking a tool for its version runs it: not in Restricted Mode.
    if (!this.c.trusted) return;
    for (const tool of ['terraform', 'pulumi', 'kubernetes'] as const) {
      const env = this.targets().find((t) => toolOf(t.environment) === tool);
      if (!env) continue;
      const status: ToolStatus = await this.engine.toolStatus(env);
      this.tools.set(tool, status);
      await vscode.commands.executeCommand('setContext', `helixDeploy.${tool}Missing`, status.state !== 'ok');
      if (status.state !== 'ok') {
        this.c.log.warn(status.message);
        if (!quiet) void this.offerSetPath(status);
      } else if (!quiet)
        void vscode.window.showInformationMessage(`${tool} ${status.version} found at ${status.path}.`);
    }
  }

  async setToolPath(tool: DeployTool | 'kubectl'): Promise<void> {
    // Kubernetes has no executable: its "path" is the kubeconfig file (else KUBECONFIG / ~/.kube/config);
    // kubectl is needed only to render kustomizations.
    const what = tool === 'kubernetes' ? 'kubeconfig file' : `${tool} executable`;
    const key =
      tool === 'kubernetes' ? 'kubernetes.kubeconfig' : tool === 'kubectl' ? 'kubernetes.kubectlPath' : `${tool}.path`;
    const picked = await vscode.window.showOpenDialog({
      canSelectMany: false,
      openLabel: `Use this ${what}`,
      title: `Select the ${what}`,
    });
    if (!picked?.[0]) return;
    await vscode.workspace
      .getConfiguration('helixDeploy')
      .update(key, picked[0].fsPath, vscode.ConfigurationTarget.Global);
    await this.checkTools(false);
  }

  // ---- helpers ----

  private async afterPlan(snap: RunSnapshot, target?: DeployTarget): Promise<void> {
    if (snap.run.state !== 'Planned') return this.report(snap);
    const m = snap.model!;
    const warn = snap.binding ? '' : ' Pulumi will re-plan at apply.';
    const choice = await vscode.window.showInformationMessage(
      `Plan for ${snap.run.environment}: ${summaryLine(m.summary)}.${warn} Expires ${new Date(snap.expiresAt!).toLocaleTimeString()}.`,
      'Approve…',
      'Show Plan',
      'Discard',
    );
    if (choice === 'Show Plan') {
      await this.showPlan(snap.run.id);
      return this.afterPlan(this.engine.snapshot(snap.run.id) ?? snap, target);
    }
    if (choice === 'Discard') await this.engine.discard(snap.run.id);
    if (choice === 'Approve…') await this.approve(snap.run.id);
  }

  private report(snap: RunSnapshot): void {
    const r = snap.run;
    if (r.state === 'Applied')
      void vscode.window.showInformationMessage(
        `${r.environment}: applied (run ${r.id})${r.meta?.health ? `, health ${String(r.meta.health)}` : ''}.`,
      );
    else if (r.state === 'Unhealthy') void this.reportUnhealthy(snap);
    else if (r.state === 'Cancelled')
      void vscode.window.showInformationMessage(`${r.environment}: ${r.error ?? 'cancelled'}`);
    else {
      const actions = snap.actions.includes('replan') ? ['Re-plan', 'Show Run'] : ['Show Run'];
      void vscode.window.showErrorMessage(`${r.environment}: ${r.state}. ${r.error ?? ''}`, ...actions).then((a) => {
        if (a === 'Re-plan') void this.replan(r.id);
        if (a === 'Show Run') void this.showRun(r.id);
      });
    }
  }

  /** Applied but unhealthy: offer the rollback, or say where the automatic one stands (a protected one waits for approval). */
  private async reportUnhealthy(snap: RunSnapshot): Promise<void> {
    const r = snap.run;
    const engine = await this.engine.get();
    const autoId = typeof r.meta?.autoRollback === 'string' ? r.meta.autoRollback : undefined;
    const auto = autoId ? engine.snapshot(autoId) : undefined;
    // A planned automatic rollback waiting for approval has its own notification, from any path (autoRollbackPlanned).
    if (auto?.run.state === 'Planned') return;
    if (auto) {
      void vscode.window
        .showWarningMessage(
          `${r.environment}: Unhealthy (applied, but the health check failed); rolled back automatically: run ${auto.run.id} ${auto.run.state}${auto.run.meta?.health ? `, health ${String(auto.run.meta.health)}` : ''}.`,
          'Show Run',
        )
        .then((a) => a && this.showRun(auto.run.id));
      return;
    }
    const a = await vscode.window.showErrorMessage(
      `${r.environment}: Unhealthy (applied, but the health check failed). ${r.error ?? ''}`,
      'Roll Back',
      'Show Run',
    );
    if (a === 'Roll Back') await this.rollback({ run: r });
    if (a === 'Show Run') await this.showRun(r.id);
  }

  /** The automatic rollback of an Unhealthy apply in a protected environment waits for a person: say so. */
  async autoRollbackPlanned(runId: string, environment: string): Promise<void> {
    const a = await vscode.window.showWarningMessage(
      `${environment}: the last apply is Unhealthy (applied, but the health check failed). Its automatic rollback (run ${runId}) is planned and waits for approval: ${environment} is protected.`,
      'Approve…',
      'Show Plan',
    );
    if (a === 'Approve…') await this.approve(runId);
    if (a === 'Show Plan') await this.showPlan(runId);
  }

  /** Progress notification with a Cancel button that interrupts the tool; the message follows the run. */
  private follow(runId: string, done: Promise<RunSnapshot>, title: string): Thenable<RunSnapshot> {
    return withProgress({ title }, (run) => {
      const cancel = run.token.onCancellationRequested(() => void this.engine.cancel(runId, 'cancel button'));
      let n = 0;
      const sub = this.engine.onRunEvent((e) => {
        if (e.runId !== runId || e.type !== 'progress') return;
        const ev = e.event;
        if (ev.kind === 'planned')
          run.report(`${++n} change${n === 1 ? '' : 's'} found · ${ev.change.action} ${ev.change.address}`);
        else if (ev.kind === 'apply-start' || ev.kind === 'apply-complete')
          run.report(`${ev.kind === 'apply-start' ? '…' : '✓'} ${ev.action} ${ev.address}`);
        else if (ev.kind === 'summary') run.report(ev.text);
      });
      return done.finally(() => {
        cancel.dispose();
        sub.dispose();
      });
    });
  }

  /** Engine errors get their actions here (they need the target); anything else goes to the registrar. */
  private async guard(target: DeployTarget | undefined, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      if (!(err instanceof DeployError)) throw err;
      this.c.log.warn(`Deploy: ${err.message}`);
      const choice = await (
        err.code === 'busy' || err.code === 'tool-missing'
          ? vscode.window.showWarningMessage
          : vscode.window.showErrorMessage
      )(err.message, ...err.actions);
      if (choice === 'Re-plan') {
        if (err.details.runId && this.engine.snapshot(err.details.runId)) await this.replan(err.details.runId);
        else if (target)
          await this.plan(
            { project: this.c.projects.find(target.project.dir), environment: target.environment },
            false,
          );
      } else if (choice === 'Show Run') await this.showRun(err.details.runId);
      else if (choice === 'Set Path') await this.setToolPath(toolOfSetting(err.details.setting));
      else if (choice === 'Open Settings')
        await vscode.commands.executeCommand('workbench.action.openSettings', 'helixDeploy');
      // Nothing pushed yet for an environment that deploys its pushes: push it (the same environment).
      else if (choice === 'Push Image')
        await vscode.commands.executeCommand(
          'helixDeploy.push.pushImage',
          target ? { project: this.c.projects.find(target.project.dir), environment: target.environment } : undefined,
        );
    }
  }

  private async offerSetPath(status: ToolStatus): Promise<void> {
    if (status.state === 'ok') return;
    const choice = await vscode.window.showWarningMessage(status.message, 'Set Path');
    if (choice === 'Set Path') await this.setToolPath(toolOfSetting(status.setting));
  }

  /** Protected environments need the environment's name typed before approval. */
  private async confirmProtected(snap: RunSnapshot, verb: string): Promise<boolean> {
    const env = this.targets().find(
      (t) => isOfProject(snap.run, t.project) && t.environment.name === snap.run.environment,
    )?.environment;
    const destructive = snap.destroy || (snap.model?.summary.delete ?? 0) + (snap.model?.summary.replace ?? 0) > 0;
    if (!env?.protected && !destructive) return true;
    if (!env?.protected) {
      const ok = await vscode.window.showWarningMessage(
        `This plan deletes or replaces resources in ${snap.run.environment}: ${summaryLine(snap.model!.summary)}. ${verb}?`,
        { modal: true },
        'Approve',
      );
      return ok === 'Approve';
    }
    const typed = await vscode.window.showInputBox({
      title: `${snap.run.environment} is protected`,
      prompt: `Type the environment name to ${verb} this plan (${summaryLine(snap.model!.summary)})`,
      validateInput: (v) => (v === snap.run.environment ? undefined : `Type "${snap.run.environment}"`),
    });
    return typed === snap.run.environment;
  }

  private targets(): DeployTarget[] {
    return this.c.projects.projects.flatMap((p) =>
      p.environments.filter((e) => toolOf(e)).map((e) => deployTargetFor(p, e.name)),
    );
  }

  private async pickTarget(arg: EnvArg, title: string): Promise<DeployTarget | undefined> {
    if (arg?.run && !arg.environment) {
      const run = arg.run;
      const project = this.c.projects.projects.find((p) =>
        run.projectDir ? p.dir === run.projectDir : p.name === run.project,
      );
      const environment = project?.environments.find((e) => e.name === run.environment);
      if (project && environment) arg = { project, environment };
    }
    if (arg?.project && arg.environment) {
      if (!toolOf(arg.environment)) {
        void vscode.window.showWarningMessage(
          `${arg.environment.name} is not a Terraform, Pulumi or Kubernetes environment (add one in helix.deploy.toml).`,
        );
        return undefined;
      }
      return deployTargetFor(arg.project, arg.environment.name);
    }
    await this.c.projects.refresh();
    const picked = await pickEnvironment(this.c, (e) => toolOf(e), {
      title: `Helix: ${title}`,
      none: 'No Terraform, Pulumi or Kubernetes environment: add `[environments.<name>]` with `terraform = { dir = ... }` or `kubernetes = { manifests = ... }` to helix.deploy.toml.',
      describe: (x) => `${toolOf(x.environment)}${x.environment.target ? ` · ${x.environment.target}` : ''}`,
    });
    return picked && deployTargetFor(picked.project, picked.environment.name);
  }

  private async pickRun(
    arg: RunArg,
    states: string | string[] | undefined,
    title: string,
  ): Promise<RunSnapshot | undefined> {
    const engine = await this.engine.get();
    const id = typeof arg === 'string' ? arg : (arg?.runId ?? arg?.run?.id);
    if (id) return engine.snapshot(id);
    const want = states === undefined ? undefined : Array.isArray(states) ? states : [states];
    const runs = engine
      .list({ limit: 50 })
      .filter((r) => (want ? want.includes(r.state) : true) && engine.snapshot(r.id)?.actions.length);
    if (!runs.length) {
      void vscode.window.showInformationMessage(
        `No run to ${title.toLowerCase()}${want ? ` (${want.join('/')})` : ''}.`,
      );
      return undefined;
    }
    const pick =
      runs.length === 1
        ? { r: runs[0] }
        : await vscode.window.showQuickPick(
            runs.map((r) => ({
              label: `${r.environment}: ${r.kind} ${r.state}`,
              description: `${r.project} · ${r.who} · ${r.startedAt}`,
              r,
            })),
            { title },
          );
    return pick ? engine.snapshot(pick.r.id) : undefined;
  }
}

/** The tool whose path/kubeconfig a ToolStatus setting name is about. */
function toolOfSetting(setting: string | undefined): DeployTool | 'kubectl' {
  if (setting?.includes('pulumi')) return 'pulumi';
  if (setting?.includes('kubectlPath')) return 'kubectl';
  if (setting?.includes('kubernetes')) return 'kubernetes';
  return 'terraform';
}
