import * as vscode from 'vscode';
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

  constructor(readonly context: vscode.ExtensionContext) {
    this.log = this.own(vscode.window.createOutputChannel('Helix Deploy', { log: true }));
    this.projects = this.own(new ProjectIndex(this.log));
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
