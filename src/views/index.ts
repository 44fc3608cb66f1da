import * as vscode from 'vscode';
import type { Container } from '../container';
import { DeploymentsTree } from './deployments';
import { EnvironmentsTree } from './environments';
import type { KubernetesClusterStatus, KubernetesWorkloadsSection } from './kubernetes';
import { registerProjectsView } from './projects';
import { wireRefresh } from './refresh';
import { registerStatusBar } from './statusBar';

/** The trees' providers, for commands that refresh them and for the extension-host tests that read their rows. */
export interface Views {
  environments: EnvironmentsTree;
  deployments: DeploymentsTree;
  /** Kubernetes environments' context/namespace and cluster reachability (Environments view). */
  clusters: KubernetesClusterStatus;
  /** Deployment -> pods of kubernetes environments (Deployments view), watched only while it is visible. */
  workloads: KubernetesWorkloadsSection;
}

/** The sidebar: Projects, Environments and Deployments views, and the runs status bar item. */
export function registerViews(c: Container): Views {
  registerProjectsView(c);
  const rt = c.local;
  const environments = new EnvironmentsTree(c);
  const deployments = new DeploymentsTree(c);
  const envView = c.own(vscode.window.createTreeView('helixDeploy.environments', { treeDataProvider: environments }));
  const depView = c.own(vscode.window.createTreeView('helixDeploy.deployments', { treeDataProvider: deployments }));
  deployments.watchVisibility(depView);
  const statusBar = registerStatusBar(c, rt);
  const views = [envView, depView] as vscode.TreeView<unknown>[];
  wireRefresh(c, rt, views, { environments, deployments }, { refresh: () => undefined, update: statusBar.update });
  return { environments, deployments, clusters: environments.clusters, workloads: deployments.kubernetes };
}
