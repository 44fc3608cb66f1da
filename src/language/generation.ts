import * as vscode from 'vscode';
import type { Container } from '../container';
import { probeHelixVersion, type GenerationSetting } from '../core/config/generation';

// The user's choice (helixDeploy.cliGeneration) and the installed helix CLI's version. The CLI is only run
// in a trusted workspace (its path is a restricted setting), with an argument array and a timeout.

export class GenerationSource implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;
  private readonly disposables: vscode.Disposable[] = [this.emitter];
  private version: string | undefined;
  private probing: Promise<void> | undefined;

  constructor(private readonly c: Container) {
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('helixDeploy.helixPath')) void this.probe();
        if (
          e.affectsConfiguration('helixDeploy.cliGeneration') ||
          e.affectsConfiguration('helixDeploy.validation.enabled')
        )
          this.emitter.fire();
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => void this.probe()),
    );
  }

  setting(uri: vscode.Uri): GenerationSetting {
    return vscode.workspace.getConfiguration('helixDeploy', uri).get<GenerationSetting>('cliGeneration', 'auto');
  }

  enabled(uri: vscode.Uri): boolean {
    return vscode.workspace.getConfiguration('helixDeploy', uri).get<boolean>('validation.enabled', true);
  }

  /** `helix --version` output, once probed; undefined when the CLI is missing or the workspace untrusted. */
  get cliVersion(): string | undefined {
    return this.version;
  }

  /**
   * Probes the CLI the first time an editor shows a document matching `selector` (now, if one already does).
   * Activation starts no process: in a monorepo the extension activates on start-up, long before anyone edits.
   */
  probeWhenShown(selector: vscode.DocumentSelector): void {
    const shown = () => vscode.window.visibleTextEditors.some((e) => vscode.languages.match(selector, e.document) > 0);
    if (shown()) {
      void this.probe();
      return;
    }
    const sub = vscode.window.onDidChangeVisibleTextEditors(() => {
      if (!shown()) return;
      sub.dispose();
      void this.probe();
    });
    this.disposables.push(sub);
  }

  probe(): Promise<void> {
    if (!vscode.workspace.isTrusted) return Promise.resolve();
    this.probing ??= (async () => {
      const helix = vscode.workspace.getConfiguration('helixDeploy').get<string>('helixPath', 'helix') || 'helix';
      const v = await probeHelixVersion(helix, 3000);
      this.c.log.info(
        v
          ? `helix CLI found: ${v}`
          : `helix CLI not found (${helix}); helix.toml generation is detected from content or the helixDeploy.cliGeneration setting`,
      );
      if (v !== this.version) {
        this.version = v;
        this.emitter.fire();
      }
    })().finally(() => (this.probing = undefined));
    return this.probing;
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
