import * as vscode from 'vscode';
import type { DeployTool, ToolStatus } from '../../core/engine/provider';

/**
 * The last known state of each deploy tool (terraform, pulumi, kubernetes) in this window, so the
 * Environments view can show a missing or too-old tool on the environments that need it, with a way out.
 */
export class ToolStates implements vscode.Disposable {
  private readonly states = new Map<DeployTool, ToolStatus>();
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;

  get(tool: DeployTool): ToolStatus | undefined {
    return this.states.get(tool);
  }

  set(tool: DeployTool, status: ToolStatus): void {
    const before = this.states.get(tool);
    this.states.set(tool, status);
    if (JSON.stringify(before) !== JSON.stringify(status)) this.emitter.fire();
  }

  dispose(): void {
    this.emitter.dispose();
  }
}
