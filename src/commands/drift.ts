import * as vscode from 'vscode';
import type { Container } from '../container';
import { DeployError } from '../core/engine/errors';
import { isTerminal } from '../core/engine/states';
import { deployTargetFor, toolOf, type DeployTarget } from '../core/engine/target';
import { renderDrift, type DriftReport } from '../core/drift/model';
import type { Environment, Project } from '../core/model/types';
import { isRestrictedModeError } from '../core/trust/gate';
import { messageOf } from '../core/errors';
import { pickEnvironment } from '../ui/pickEnvironment';
import { currentDrift } from '../core/drift/status';

// "Check Drift" (environment row, palette, panel) and the optional periodic check. The check itself is an
// engine run of kind `drift` (src/core/engine/engine.ts startDriftCheck): it takes the environment lock, so
// it never runs beside a plan or apply of that environment, and lands in the run history, where the
// Environments view reads the badge from (src/core/drift/status.ts).

export const CHECK_DRIFT_COMMAND = 'helixDeploy.checkDrift';
export const SHOW_DRIFT_COMMAND = 'helixDeploy.showDrift';
const INTERVAL_SETTING = 'drift.checkIntervalMinutes';

type EnvArg = { project?: Project; environment?: Environment } | { target: DeployTarget } | undefined;

export function registerDrift(c: Container): void {
  c.registerCommand(CHECK_DRIFT_COMMAND, (arg?: EnvArg) => checkDrift(c, arg, { quiet: false }));
  c.registerCommand(SHOW_DRIFT_COMMAND, (arg?: EnvArg) => showDrift(c, arg));
  c.own(new PeriodicDriftCheck(c));
}

async function pickTarget(c: Container, arg: EnvArg): Promise<DeployTarget | undefined> {
  if (arg && 'target' in arg) return arg.target;
  if (arg?.project && arg.environment) return deployTargetFor(arg.project, arg.environment.name);
  const picked = await pickEnvironment(c, (e) => toolOf(e), {
    title: 'Helix: Check Drift',
    none: 'No Terraform, Pulumi or Kubernetes environment to check for drift: add one to helix.deploy.toml.',
    describe: (x) => `${toolOf(x.environment)}${x.environment.target ? ` · ${x.environment.target}` : ''}`,
  });
  return picked && deployTargetFor(picked.project, picked.environment.name);
}

/**
 * Runs one check. `quiet` (the periodic check): no progress notification, a message only when drift is found,
 * and a busy environment is skipped silently. Returns the report (tests read it).
 */
export async function checkDrift(
  c: Container,
  arg: EnvArg,
  opts: { quiet: boolean },
): Promise<DriftReport | undefined> {
  const deploy = c.deploy;
  if (!deploy) return undefined;
  const target = await pickTarget(c, arg);
  if (!target) return undefined;
  const env = target.environment.name;
  // What the row showed before: the periodic check only speaks up when the drift it finds is new.
  const before = currentDrift(
    c.history.list({ project: target.project.name, projectDir: target.project.dir, environment: env, limit: 50 }),
  );
  try {
    const engine = await deploy.engine.get();
    const handle = await engine.startDriftCheck(target);
    const done = opts.quiet
      ? await handle.done
      : await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: `Checking ${env} for drift`, cancellable: true },
          (_p, token) => {
            const sub = token.onCancellationRequested(() => void engine.cancel(handle.id, 'cancel button'));
            return handle.done.finally(() => sub.dispose());
          },
        );
    const { run, report } = done;
    if (run.state !== 'Succeeded' || !report) {
      if (!opts.quiet || run.state === 'Failed')
        void vscode.window
          .showWarningMessage(`Drift check of ${env}: ${run.state}${run.error ? `: ${run.error}` : ''}`, 'Show Run')
          .then((a) => a && vscode.commands.executeCommand('helixDeploy.deploy.showRun', run.id));
      return undefined;
    }
    const n = report.resources.length;
    c.log.info(`Drift check of ${target.project.name}/${env}: ${n ? `${n} drifted` : 'no drift'} (run ${run.id})`);
    const same = !!before && before.count === n && report.resources.every((r, i) => before.resources[i] === r.address);
    if (n && !(opts.quiet && same)) {
      const a = await vscode.window.showWarningMessage(
        `${env}: ${n} resource${n === 1 ? '' : 's'} changed outside ${toolOf(target.environment)}.`,
        'Show Drift',
      );
      if (a) await showDrift(c, { target });
    } else if (!opts.quiet) void vscode.window.showInformationMessage(`${env}: no drift.`);
    return report;
  } catch (err) {
    if (isRestrictedModeError(err)) throw err;
    if (opts.quiet && err instanceof DeployError && err.code === 'busy') return undefined;
    c.log.error(`Drift check of ${env}: ${messageOf(err)}`);
    if (!opts.quiet) void vscode.window.showErrorMessage(`Helix Deploy: ${messageOf(err)}`);
    return undefined;
  }
}

/** The last report as text beside the editor (the panel's Drift view shows the same with its diff rows). */
async function showDrift(c: Container, arg: EnvArg): Promise<void> {
  const target = await pickTarget(c, arg);
  if (!target) return;
  const r = c.deploy?.engine.lastDrift(target.project.dir, target.environment.name);
  if (!r) {
    const a = await vscode.window.showInformationMessage(
      `${target.environment.name} was not checked for drift in this window yet.`,
      'Check Drift',
    );
    if (a) await checkDrift(c, { target }, { quiet: false });
    return;
  }
  const doc = await vscode.workspace.openTextDocument({ content: renderDrift(r.report), language: 'plaintext' });
  await vscode.window.showTextDocument(doc, { preview: true });
}

/**
 * `helixDeploy.drift.checkIntervalMinutes` > 0: checks every Terraform/Pulumi/Kubernetes environment that
 * often, only while this window has focus (the timer stops on blur, so nothing starts while idle), never
 * while a run of that environment is active, one check at a time.
 */
class PeriodicDriftCheck implements vscode.Disposable {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private readonly subs: vscode.Disposable[] = [];

  constructor(private readonly c: Container) {
    this.subs.push(vscode.window.onDidChangeWindowState(() => this.schedule()));
    this.subs.push(
      vscode.workspace.onDidChangeConfiguration(
        (e) => e.affectsConfiguration(`helixDeploy.${INTERVAL_SETTING}`) && this.schedule(),
      ),
    );
    this.subs.push(vscode.workspace.onDidGrantWorkspaceTrust(() => this.schedule()));
    this.schedule();
  }

  private minutes(): number {
    const m = vscode.workspace.getConfiguration('helixDeploy').get<number>(INTERVAL_SETTING, 0);
    return Number.isFinite(m) && m > 0 ? Math.max(5, m) : 0;
  }

  private schedule(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const minutes = this.minutes();
    if (!minutes || !vscode.window.state.focused || !this.c.trusted) return;
    this.timer = setInterval(() => void this.tick(), minutes * 60_000);
  }

  private async tick(): Promise<void> {
    if (this.running || !vscode.window.state.focused || !this.c.trusted) return;
    this.running = true;
    try {
      for (const project of this.c.projects.projects) {
        for (const environment of project.environments.filter((e) => toolOf(e))) {
          if (!vscode.window.state.focused) return;
          const active = this.c.history.list({ projectDir: project.dir, environment: environment.name, active: true });
          if (active.some((r) => !isTerminal(r.state))) continue;
          await checkDrift(this.c, { project, environment }, { quiet: true });
        }
      }
    } finally {
      this.running = false;
    }
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const s of this.subs.splice(0)) s.dispose();
  }
}
