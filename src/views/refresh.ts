import * as vscode from 'vscode';
import type { Container } from '../container';
import type { LocalRuntime } from '../services/local/runtime';

// Event-driven refresh (Container Tools' RefreshManager idea): the engine's event stream is subscribed
// only while the Environments or Deployments view is visible; bursts are debounced by the watch; the
// journal and health service push their own changes. Nothing polls.

export interface Refreshable {
  refresh(): void;
}

export function wireRefresh(
  c: Container,
  rt: LocalRuntime,
  views: vscode.TreeView<unknown>[],
  trees: { environments: Refreshable; deployments: Refreshable },
  statusBar: Refreshable & { update(): void },
): void {
  const visible = () => c.trusted && views.some((v) => v.visible);
  const apply = () => rt.watch.setActive(visible());
  let watchSub: { dispose(): void } | undefined;
  const bindWatch = () => {
    watchSub?.dispose();
    watchSub = rt.watch.onDidChange(() => {
      trees.environments.refresh();
      trees.deployments.refresh();
    });
    apply();
  };
  bindWatch();
  c.own({ dispose: () => watchSub?.dispose() });
  c.own(rt.onDidChangeEngine(() => (bindWatch(), trees.deployments.refresh())));
  for (const v of views) c.own(v.onDidChangeVisibility(apply));
  c.own(vscode.workspace.onDidGrantWorkspaceTrust(() => (apply(), trees.deployments.refresh())));

  // Journal: structural changes only (log lines would redraw the tree per line).
  let historyTimer: NodeJS.Timeout | undefined;
  const onJournal = () => {
    statusBar.update();
    clearTimeout(historyTimer);
    historyTimer = setTimeout(() => trees.deployments.refresh(), 100);
  };
  void rt.ready().then((j) => {
    c.own(j.onDidChange((e) => e.type !== 'log' && onJournal()));
    onJournal();
  });
  c.own({ dispose: () => clearTimeout(historyTimer) });
  c.own(rt.health.onDidChange(() => trees.deployments.refresh()));
}
