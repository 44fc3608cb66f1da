import * as vscode from 'vscode';
import type { Container } from '../container';
import type { LocalRuntime } from '../services/local/runtime';
import type { RunState } from '../core/engine/states';

/**
 * States in which a run is working. A plan waiting for approval (Planned, Approved) is not terminal but
 * nothing is in progress: a spinner for it would say otherwise.
 */
const WORKING: ReadonlySet<RunState> = new Set<RunState>(['Running', 'Draft', 'Planning', 'Applying']);

/** One status bar item for runs in progress (hidden when nothing runs); click shows the Deployments view. */
export function registerStatusBar(c: Container, rt: LocalRuntime): { update(): void } {
  const item = c.own(vscode.window.createStatusBarItem('helixDeploy.runs', vscode.StatusBarAlignment.Left, 50));
  item.name = 'Helix Deploy runs';
  item.command = 'helixDeploy.deployments.focus';
  const update = () => {
    const active =
      rt.journal?.list({ active: true }).filter((r) => r.pid === process.pid && WORKING.has(r.state)) ?? [];
    if (!active.length) {
      item.hide();
      rt.setStatusText(undefined);
      return;
    }
    // The newest run by name, and how many others run beside it (all of them in the tooltip).
    const [first] = active;
    item.text = `$(sync~spin) Helix: ${first.kind} ${first.project}/${first.environment}${active.length > 1 ? ` +${active.length - 1}` : ''}`;
    item.tooltip = active
      .map((r) => `${r.kind} ${r.project}/${r.environment} (since ${new Date(r.startedAt).toLocaleTimeString()})`)
      .join('\n');
    item.show();
    rt.setStatusText(item.text);
  };
  return { update };
}
