import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { messageOf, type HelixError } from './core/errors';
import { HealthService } from './core/health/service';
import { historyFile, RunHistory } from './core/engine/history';
import { formatWarning } from './core/engine/journal';
import { recoverOrphanedRun } from './core/engine/orphans';
import {
  installTrustGate,
  MANAGE_TRUST,
  RESTRICTED_MESSAGE,
  RESTRICTED_MODE_COMMANDS,
  TrustGate,
} from './core/trust/gate';
import { createDeployRuntime, type DeployRuntime } from './services/deploy/runtime';
import { createKubernetesServices, type KubernetesServices } from './services/kubernetes/runtime';
import { LocalRuntime } from './services/local/runtime';
import { ProjectIndex } from './services/projects';
import { Notices } from './services/push/notices';
import { PushSecrets } from './services/push/secrets';
import { PushStatus } from './services/push/status';
import { commandNotice } from './ui/commandErrors';
import { withProgress, type ProgressOptions, type ProgressRun } from './ui/progress';

/** A command's options beyond the trust gate (which every command outside RESTRICTED_MODE_COMMANDS crosses). */
export interface CommandOptions {
  /**
   * Prefix of the message for an error that is not a HelixError, e.g. 'Kubernetes' (default 'Helix Deploy');
   * a function may return undefined for an error whose message stands alone.
   */
  errorPrefix?: string | ((err: unknown) => string | undefined);
  /** What the buttons of a thrown HelixError's `actions` do, beyond Show Log, Open Settings and Manage Workspace Trust. */
  actions?: Record<string, (err: HelixError, ...args: unknown[]) => unknown>;
}

/** With `progress`, the command runs in a progress notification and gets its cancellation first. */
export interface ProgressCommandOptions extends CommandOptions {
  progress: ProgressOptions;
}

// A command's arguments are whatever its caller passed (a tree node, an id, nothing): never[] lets each
// handler declare its own parameter types.
type CommandFn = (...args: never[]) => unknown;

/**
 * The composition root: builds every shared service of the window in one place (lazily where construction
 * costs something) and owns every disposable. Features receive the container (or the services they need)
 * and register what they create with `own()`, so deactivation disposes everything in reverse order.
 */
export class Container implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  readonly log: vscode.LogOutputChannel;
  /** Every HelixDB project in the workspace. */
  readonly projects: ProjectIndex;
  /**
   * The run history of every project of the workspace: one crash-safe journal per project folder
   * (`<project>/.helix/runs.jsonl`), shared by every kind of run, every window and the headless CLI, and
   * followed live (runs made elsewhere appear). Opening a project's history marks runs a crashed process
   * left unfinished as Interrupted. Resolves once the projects found by the first scan are open.
   */
  readonly journal: Promise<RunHistory>;
  // recoverRun: a run whose window died while its terraform/pulumi ran on gets the tool's real outcome.
  readonly history = new RunHistory({ follow: true, recoverRun: recoverOrphanedRun });
  /** Workspace trust, the one boundary: commands, panel messages, the process spawner and the Docker/cluster clients ask it. */
  readonly gate = new TrustGate(() => vscode.workspace.isTrusted);

  private _health?: HealthService;
  private _local?: LocalRuntime;
  private _deploy?: DeployRuntime;
  private _kubernetes?: KubernetesServices;
  private _pushStatus?: PushStatus;
  private _pushNotices?: Notices;
  private _pushSecrets?: PushSecrets;

  constructor(readonly context: vscode.ExtensionContext) {
    const uninstall = installTrustGate(this.gate);
    this.own({ dispose: uninstall });
    this.log = this.own(vscode.window.createOutputChannel('Helix Deploy', { log: true }));
    this.projects = this.own(new ProjectIndex(this.log));
    // Each skipped line once, with its file and line, where the user can see it.
    this.own(this.history.onWarning((w) => this.log.warn(`Run history: ${formatWarning(w)}`)));
    let first: () => void;
    this.journal = new Promise<void>((resolve) => (first = resolve)).then(() => this.history);
    const open = () => void this.openHistories().finally(first);
    this.own(this.projects.onDidChange(open));
    this.own(vscode.workspace.onDidGrantWorkspaceTrust(open));
    // A project's first run (here, in another window or by the CLI) creates its history: follow it from then on.
    // The folder and the file are both watched: a watcher may report a new folder without the file made in it.
    const created = this.own(vscode.workspace.createFileSystemWatcher('**/.helix{,/runs.jsonl}', false, false, true));
    const follow = (uri: vscode.Uri) => {
      const state = path.basename(uri.fsPath) === '.helix' ? uri.fsPath : path.dirname(uri.fsPath);
      if (!this.history.journalOf(path.dirname(state))) void this.openHistory(path.dirname(state));
    };
    this.own(created.onDidCreate(follow));
    this.own(created.onDidChange(follow));
    this.own({ dispose: () => void this.history.close() });
  }

  /** Health results of the window's environments (local checks, cloud deploys, post-apply checks), by envKey(dir, env). */
  get health(): HealthService {
    return (this._health ??= this.own(new HealthService()));
  }

  /** The local loop: one container engine from the settings, its watch and the LocalService over the run history. */
  get local(): LocalRuntime {
    return (this._local ??= this.own(
      new LocalRuntime({ log: this.log, projects: this.projects, journal: this.journal, health: this.health }),
    ));
  }

  /** Plan-first deployments: the engine (created on first use), the plan redactor, the deploy tools' states. */
  get deploy(): DeployRuntime {
    return (this._deploy ??= this.own(
      createDeployRuntime({
        projects: this.projects,
        journal: this.journal,
        kubernetes: () => this.kubernetes.provider,
        secrets: this.context.secrets,
      }),
    ));
  }

  /** The Kubernetes provider and the kubeconfig/cluster data functions. */
  get kubernetes(): KubernetesServices {
    return (this._kubernetes ??= createKubernetesServices());
  }

  /** Last pushed tag and digest, last deploy URL and health, per environment, from the run history. */
  get pushStatus(): PushStatus {
    if (this._pushStatus) return this._pushStatus;
    const status = (this._pushStatus = this.own(new PushStatus()));
    status.healthOf = (key) => this.health.get(key)?.status;
    this.journal
      .then((j) => status.attach(j))
      .catch((e) => this.log.error(`Push history unavailable: ${messageOf(e)}`));
    return status;
  }

  /** The push layer's notifications, also as events (the extension-host tests read what was shown). */
  get pushNotices(): Notices {
    return (this._pushNotices ??= this.own(new Notices()));
  }

  /** Registry credentials and API keys in VS Code's secret storage. */
  get pushSecrets(): PushSecrets {
    return (this._pushSecrets ??= new PushSecrets(this.context));
  }

  /**
   * Opens the history of each project that has one (not in Restricted Mode: opening writes `.helix/`). A project
   * without runs gets no `.helix/` folder just because the editor opened: a monorepo of hundreds of projects stays
   * untouched, and its history is opened when its first run creates it (the watcher above, or RunHistory.begin).
   */
  private async openHistories(): Promise<void> {
    if (!vscode.workspace.isTrusted) return;
    const dirs = this.projects.projects.map((p) => p.dir).filter((dir) => fs.existsSync(historyFile(dir)));
    await Promise.all(dirs.map((dir) => this.openHistory(dir)));
  }

  private async openHistory(dir: string): Promise<void> {
    if (!vscode.workspace.isTrusted || !this.projects.find(dir)) return;
    await this.history
      .openProject(dir)
      .catch((err) => this.log.error(`Run history of ${dir} could not be opened: ${messageOf(err)}`));
  }

  /** False in a Restricted Mode workspace: then nothing may be executed (docker, terraform, helix...). */
  get trusted(): boolean {
    return this.gate.trusted;
  }

  /**
   * The one command registrar. Outside RESTRICTED_MODE_COMMANDS a command first crosses the trust gate; with
   * `progress` it runs in a progress notification whose Cancel aborts the signal it gets as first argument.
   * Whatever it throws becomes a message, never a stack: a Restricted Mode refusal (from anywhere below) the
   * same message with its action, a cancellation only a log line, a HelixError its message with its actions.
   */
  registerCommand(id: string, fn: CommandFn, options?: CommandOptions): vscode.Disposable;
  registerCommand(
    id: string,
    fn: (run: ProgressRun, ...args: never[]) => unknown,
    options: ProgressCommandOptions,
  ): vscode.Disposable;
  registerCommand(
    id: string,
    fn: CommandFn,
    options: CommandOptions & { progress?: ProgressOptions } = {},
  ): vscode.Disposable {
    return this.own(
      vscode.commands.registerCommand(id, async (...args: never[]) => {
        try {
          if (!RESTRICTED_MODE_COMMANDS.has(id)) this.gate.assert(`command ${id}`);
          const { progress } = options;
          return await (progress
            ? withProgress(progress, (run) =>
                Promise.resolve((fn as (run: ProgressRun, ...a: never[]) => unknown)(run, ...args)),
              )
            : fn(...args));
        } catch (err) {
          this.showError(id, err, options, args);
          return undefined;
        }
      }),
    );
  }

  /** A command's failure as a message with the buttons that act on it; logged with the command's id. */
  private showError(id: string, err: unknown, options: CommandOptions, args: unknown[]): void {
    const handlers: Record<string, (e: unknown, ...a: unknown[]) => unknown> = {
      'Show Log': () => this.log.show(),
      'Show Output': () => this.log.show(),
      'Open Settings': () => vscode.commands.executeCommand('workbench.action.openSettings', 'helixDeploy'),
      [MANAGE_TRUST]: () => vscode.commands.executeCommand('workbench.trust.manage'),
      ...(options.actions as Record<string, (e: unknown, ...a: unknown[]) => unknown> | undefined),
    };
    const prefix =
      typeof options.errorPrefix === 'function' ? options.errorPrefix(err) : (options.errorPrefix ?? 'Helix Deploy');
    const n = commandNotice(err, { prefix, handles: (a) => Object.hasOwn(handlers, a) });
    if (n.kind === 'restricted') return this.showRestricted(err as Error);
    if (n.kind === 'cancelled') return this.log.info(`${id}: cancelled`);
    this.log[n.level](`${id}: ${n.log}`);
    void vscode.window.showErrorMessage(n.message, ...n.actions).then((a) => a && handlers[a]!(err, ...args));
  }

  /** The Restricted Mode refusal as a message with its action (logged with what was refused). */
  showRestricted(err: Error & { what?: string }): void {
    this.log.info(`Restricted Mode: refused ${err.what ?? 'an action'}`);
    void vscode.window
      .showWarningMessage(RESTRICTED_MESSAGE, MANAGE_TRUST)
      .then((a) => a && vscode.commands.executeCommand('workbench.trust.manage'));
  }

  own<T extends vscode.Disposable>(disposable: T): T {
    this.disposables.push(disposable);
    return disposable;
  }

  dispose(): void {
    for (const d of this.disposables.splice(0).reverse()) {
      try {
        d.dispose();
      } catch (err) {
        console.error('Helix Deploy: dispose failed', err);
      }
    }
  }
}
