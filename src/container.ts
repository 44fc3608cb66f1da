import * as vscode from 'vscode';
import { RunHistory } from './core/engine/history';
import { formatWarning } from './core/engine/journal';
import { recoverOrphanedRun } from './core/engine/orphans';
import { installTrustGate, isRestrictedModeError, MANAGE_TRUST, RESTRICTED_MESSAGE, RESTRICTED_MODE_COMMANDS, TrustGate } from './core/trust/gate';
import { ProjectIndex } from './services/projects';

/** A command handler as VS Code calls it: the arguments arrive untyped (from a menu, a tree item or executeCommand). */
export type CommandHandler = Parameters<typeof vscode.commands.registerCommand>[1];

/**
 * Owns every disposable of the extension and the shared services.
 * Features receive the container and register what they create with `own()`,
 * so deactivation disposes everything in reverse order of creation.
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
    this.own({ dispose: () => void this.history.close() });
  }

  /** Opens the history of each project found (not in Restricted Mode: opening writes `.helix/`). */
  private async openHistories(): Promise<void> {
    if (!vscode.workspace.isTrusted) return;
    for (const p of this.projects.projects) {
      await this.history.openProject(p.dir).catch((err) => this.log.error(`Run history of ${p.dir} could not be opened: ${err instanceof Error ? err.message : String(err)}`));
    }
  }

  /** False in a Restricted Mode workspace: then nothing may be executed (docker, terraform, helix...). */
  get trusted(): boolean {
    return this.gate.trusted;
  }

  /**
   * The one command registrar: outside RESTRICTED_MODE_COMMANDS a command first crosses the trust gate, and a
   * refusal from anywhere below (spawner, Docker, cluster) becomes the same message with its action, never a stack.
   */
  registerCommand(id: string, fn: CommandHandler): vscode.Disposable {
    return this.own(vscode.commands.registerCommand(id, async (...args: Parameters<CommandHandler>) => {
      try {
        if (!RESTRICTED_MODE_COMMANDS.has(id)) this.gate.assert(`command ${id}`);
        return await fn(...args);
      } catch (err) {
        if (!isRestrictedModeError(err)) throw err;
        this.showRestricted(err);
        return undefined;
      }
    }));
  }

  /** The Restricted Mode refusal as a message with its action (logged with what was refused). */
  showRestricted(err: Error & { what?: string }): void {
    this.log.info(`Restricted Mode: refused ${err.what ?? 'an action'}`);
    void vscode.window.showWarningMessage(RESTRICTED_MESSAGE, MANAGE_TRUST).then((a) => a && vscode.commands.executeCommand('workbench.trust.manage'));
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
