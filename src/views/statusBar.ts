import * as vscode from 'vscode';
import type { Container } from '../container';
import type { LocalRuntime } from '../commands/local/runtime';

/** One status bar item for runs in progress (hidden when nothing runs); click shows the Deployments view. */
export function registerStatusBar(c: Container, rt: LocalRuntime): { update(): void } {
  const item = c.own(vscode.window.createStatusBarItem('helixDeploy.runs', vscode.StatusBarAlignment.Left, 50));
  item.name = 'Helix Deploy runs';
  item.command = 'helixDeploy.deployments.focus';
  const update = () => {
    const active = rt.journal?.list({ active: true }).filter((r) => r.pid === process.pid) ?? [];
    if (!active.length) {
      item.hide();
      return;
    }
    const [first] = active;
    item.text = active.length === 1 ? `$(sync~spin) Helix: ${first.kind} ${first.environment}` : `$(sync~spin) Helix: ${active.length} runs`;
    item.tooltip = active.map((r) => `${r.kind} ${r.project}/${r.environment} (since ${new Date(r.startedAt).toLocaleTimeString()})`).join('\n');
    item.show();
  };
  return { update };
}
