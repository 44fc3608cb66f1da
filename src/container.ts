import * as vscode from 'vscode';
import * as path from 'node:path';
import { Journal } from './core/engine/journal';
import { recoverOrphanedRun } from './core/engine/orphans';
import { ProjectIndex } from './services/projects';

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
   * The workspace's run history: one crash-safe journal shared by every kind of run (build, start, push,
   * plan, apply...). Opening it marks runs a crashed window left unfinished as Interrupted.
   */
  readonly journal: Promise<Journal>;

  constructor(readonly context: vscode.ExtensionContext) {
    this.log = this.own(vscode.window.createOutputChannel('Helix Deploy', { log: true }));
    this.projects = this.own(new ProjectIndex(this.log));
    const storage = context.storageUri ?? context.globalStorageUri;
    // recoverRun: a run whose window died while its terraform/pulumi ran on gets the tool's real outcome.
    this.journal = Journal.open(path.join(storage.fsPath, 'runs.journal'), { recoverRun: recoverOrphanedRun });
    this.journal.catch((err) => this.log.error(`Run history could not be opened: ${err instanceof Error ? err.message : String(err)}`));
    this.own({ dispose: () => void this.journal.then((j) => j.close(), () => undefined) });
  }

  /** False in a Restricted Mode workspace: then nothing may be executed (docker, terraform, helix...). */
  get trusted(): boolean {
    return vscode.workspace.isTrusted;
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
