import * as vscode from 'vscode';
import type { CommandHandler, Container } from '../../container';
import { DeploymentsTree } from '../../views/deployments';
import { EnvironmentsTree } from '../../views/environments';
import { wireRefresh } from '../../views/refresh';
import { registerStatusBar } from '../../views/statusBar';
import { LocalActions } from './actions';
import { startDocker, usePodman } from './engineActions';
import { LogSessions } from './logs';
import { LocalRuntime } from './runtime';

declare module '../../container' {
  interface Container {
    /** The local loop's services (engine, journal, health), for the panel and extension-host tests. */
    local?: LocalRuntime;
  }
}

/** The local Docker loop: Environments and Deployments views, status bar item and commands. */
export function registerLocal(c: Container): LocalRuntime {
  const rt = c.own(new LocalRuntime(c));
  c.local = rt;
  const environments = new EnvironmentsTree(c, rt);
  rt.environmentsTree = environments as vscode.TreeDataProvider<unknown>;
  const deployments = new DeploymentsTree(c, rt);
  rt.deploymentsTree = deployments as vscode.TreeDataProvider<unknown>;
  const envView = c.own(vscode.window.createTreeView('helixDeploy.environments', { treeDataProvider: environments }));
  const depView = c.own(vscode.window.createTreeView('helixDeploy.deployments', { treeDataProvider: deployments }));
  deployments.watchVisibility(depView);
  const statusBar = registerStatusBar(c, rt);
  wireRefresh(c, rt, [envView, depView] as vscode.TreeView<unknown>[], { environments, deployments }, { refresh: () => undefined, update: statusBar.update });

  const logs = c.own(new LogSessions(c, rt));
  const a = new LocalActions(c, rt, logs);
  const commands: Record<string, CommandHandler> = {
    'helixDeploy.local.build': (n) => a.build(n),
    'helixDeploy.local.start': (n) => a.start(n),
    'helixDeploy.local.stop': (n) => a.simple('stop', n),
    'helixDeploy.local.restart': (n) => a.simple('restart', n),
    'helixDeploy.local.remove': (n) => a.simple('remove', n),
    'helixDeploy.local.showLogs': (n) => a.showLogs(n),
    'helixDeploy.local.openInBrowser': (n) => a.openInBrowser(n),
    'helixDeploy.local.checkHealth': (n) => a.checkHealth(n),
    'helixDeploy.local.showRunLog': (n) => a.showRunLog(n),
    'helixDeploy.local.showFailingStep': (n) => a.showFailingStep(n),
    'helixDeploy.local.refresh': () => (environments.refresh(), rt.watch.refresh()),
    'helixDeploy.local.startDocker': () => startDocker(c, rt),
    'helixDeploy.local.usePodman': () => usePodman(c),
  };
  for (const [id, fn] of Object.entries(commands)) c.registerCommand(id, fn);
  return rt;
}
