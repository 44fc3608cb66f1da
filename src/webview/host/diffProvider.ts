import * as vscode from 'vscode';
import type { DiffSides } from '../model/diffDocument';

// "Open diff": one resource's before/after as two read-only virtual JSON documents in VS Code's own diff
// editor (native vscode.diff, as the AWS Toolkit does, rather than a hand-rolled HTML diff).
// Content comes from the session, already masked and redacted; nothing is written to disk.

export const PLAN_SCHEME = 'helix-plan';
const MAX_DOCS = 64;

export class PlanDiffProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly docs = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  provideTextDocumentContent(uri: vscode.Uri): string {
    return (
      this.docs.get(uri.toString()) ??
      '// This plan is no longer available. Re-open the diff from the deployment panel.\n'
    );
  }

  async open(title: string, sides: DiffSides, id: string): Promise<void> {
    const safe = id.replace(/[^\w.\-/[\]]+/g, '_');
    const left = vscode.Uri.from({ scheme: PLAN_SCHEME, path: `/${safe}/before.json` });
    const right = vscode.Uri.from({ scheme: PLAN_SCHEME, path: `/${safe}/after.json` });
    this.put(left, sides.before || '{}\n');
    this.put(right, sides.after || '{}\n');
    await vscode.commands.executeCommand('vscode.diff', left, right, `${title}: before ↔ after`, { preview: true });
  }

  private put(uri: vscode.Uri, text: string): void {
    const k = uri.toString();
    this.docs.delete(k);
    this.docs.set(k, text);
    // Oldest first in a Map: drop beyond the bound so long sessions do not accumulate plans in memory.
    while (this.docs.size > MAX_DOCS) this.docs.delete(this.docs.keys().next().value!);
    this.changed.fire(uri);
  }

  dispose(): void {
    this.docs.clear();
    this.changed.dispose();
  }
}
