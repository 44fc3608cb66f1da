import { envKey } from '../core/model/environment-ref';
import * as vscode from 'vscode';
import type { Container } from '../container';
import type { RunRecord } from '../core/engine/journal';
import { HISTORY_PAGE, historyPage } from '../core/engine/historyPage';
import type { ContainerInfo } from '../core/local/engine';
import { isEngineDown } from '../core/local/errors';
import { LABEL_DIR, LABEL_ENVIRONMENT, LABEL_PROJECT } from '../core/local/naming';
import { containerName } from '../core/model/types';
import { isHelixContainer, presentContainer, presentRun, type Presented } from '../core/local/present';
import { KubernetesWorkloadsSection, type KubeNode } from './kubernetes';

// The Deployments view: what runs now (containers with state, health, uptime, ports, image) and the run
// history (newest first). A missing or stopped engine is a row with the ways out, never an exception.

export type DepNode =
  | { type: 'section'; section: 'containers' | 'history' | 'kubernetes' }
  | KubeNode
  | { type: 'container'; container: ContainerInfo }
  | { type: 'run'; run: RunRecord }
  | {
      type: 'message';
      id: string;
      label: string;
      description?: string;
      icon: string;
      color?: string;
      command?: vscode.Command;
      contextValue?: string;
    };

export class DeploymentsTree implements vscode.TreeDataProvider<DepNode> {
  private readonly emitter = new vscode.EventEmitter<DepNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  /** Kubernetes environments: Deployment -> pods, watched only while this view is visible. */
  readonly kubernetes: KubernetesWorkloadsSection;

  constructor(private readonly c: Container) {
    c.own(this.emitter);
    this.kubernetes = c.own(new KubernetesWorkloadsSection(c, () => this.refresh()));
  }

  /** The view's visibility starts and stops the Kubernetes watches (no traffic while hidden). */
  watchVisibility(view: vscode.TreeView<unknown>): void {
    this.kubernetes.setVisible(view.visible);
    this.c.own(view.onDidChangeVisibility((e) => this.kubernetes.setVisible(e.visible)));
  }

  refresh(): void {
    this.emitter.fire(undefined);
  }

  /** Runs of the history shown (a page more per "Show more"). */
  private shown = HISTORY_PAGE;

  /** "Show more" at the end of the run history: the next page of older runs. */
  showMoreHistory(): void {
    this.shown += HISTORY_PAGE;
    this.emitter.fire(undefined);
  }

  getChildren(node?: DepNode): DepNode[] {
    if (!node) {
      const roots: DepNode[] = [
        { type: 'section', section: 'containers' },
        { type: 'section', section: 'history' },
      ];
      // Only workspaces with kubernetes environments get the section.
      if (this.kubernetes.environments().length) roots.splice(1, 0, { type: 'section', section: 'kubernetes' });
      return roots;
    }
    if (node.type.startsWith('k8s-')) return this.kubernetes.children(node as KubeNode);
    if (node.type !== 'section') return [];
    if (node.section === 'kubernetes') return this.kubernetes.children();
    return node.section === 'containers' ? this.containers() : this.history();
  }

  private containers(): DepNode[] {
    if (!this.c.trusted) {
      return [
        {
          type: 'message',
          id: 'untrusted',
          label: 'Restricted Mode',
          description: 'trust this workspace to use Docker',
          icon: 'shield',
          command: { command: 'workbench.trust.manage', title: 'Manage Workspace Trust' },
        },
      ];
    }
    const w = this.c.local.watch;
    if (w.state === 'down' && w.error) {
      const e = w.error;
      const nodes: DepNode[] = [
        {
          type: 'message',
          id: 'engine-down',
          label: e.code === 'permission-denied' ? 'No permission on the Docker socket' : 'Docker is not running',
          description: w.engine.endpoint,
          icon: 'warning',
          color: 'list.warningForeground',
          contextValue: 'engine:down',
        },
      ];
      if (isEngineDown(e) && e.code !== 'permission-denied') {
        nodes.push({
          type: 'message',
          id: 'start-docker',
          label: 'Start Docker',
          icon: 'play',
          command: { command: 'helixDeploy.local.startDocker', title: 'Start Docker' },
        });
        nodes.push({
          type: 'message',
          id: 'use-podman',
          label: 'Use Podman',
          icon: 'arrow-swap',
          command: { command: 'helixDeploy.local.usePodman', title: 'Use Podman' },
        });
      } else {
        nodes.push({
          type: 'message',
          id: 'engine-settings',
          label: 'Choose the engine socket…',
          icon: 'gear',
          command: {
            command: 'workbench.action.openSettings',
            title: 'Settings',
            arguments: ['helixDeploy.docker.host'],
          },
        });
      }
      return nodes;
    }
    if (w.state === 'connecting' || w.state === 'idle')
      return [
        { type: 'message', id: 'connecting', label: 'Connecting to the container engine…', icon: 'loading~spin' },
      ];
    const mine = this.mine(w.containers.filter(isHelixContainer));
    if (!mine.length)
      return [
        {
          type: 'message',
          id: 'none',
          label: 'Nothing runs yet',
          description: 'start an environment',
          icon: 'info',
          command: { command: 'helixDeploy.local.start', title: 'Start' },
        },
      ];
    return mine.map((container) => ({ type: 'container', container }));
  }

  /** Containers of the workspace's projects first (by label or CLI name), then other helix ones. */
  private mine(list: ContainerInfo[]): ContainerInfo[] {
    const dirs = new Set(this.c.projects.projects.map((p) => p.dir));
    const names = new Set(
      this.c.projects.projects.flatMap((p) => p.environments.map((e) => containerName(p.name, e.name))),
    );
    const ours = (c: ContainerInfo) => dirs.has(c.labels[LABEL_DIR]) || names.has(c.name);
    return [...list].sort((a, b) => Number(ours(b)) - Number(ours(a)) || a.name.localeCompare(b.name));
  }

  private history(): DepNode[] {
    const j = this.c.local.journal;
    if (!j) return [{ type: 'message', id: 'history-loading', label: 'Loading run history…', icon: 'loading~spin' }];
    const projects = this.c.projects.projects;
    const page = historyPage(() => j.list(), projects, this.shown);
    if (!page.runs.length) return [{ type: 'message', id: 'history-empty', label: 'No runs yet', icon: 'history' }];
    const nodes: DepNode[] = page.runs.map((run) => ({ type: 'run', run }));
    if (page.more) {
      const command = { command: 'helixDeploy.local.showMoreHistory', title: 'Show More' };
      nodes.push({
        type: 'message',
        id: 'history-more',
        label: 'Show more…',
        description: `${page.more.toLocaleString('en-US')} older runs`,
        icon: 'ellipsis',
        command,
      });
    }
    return nodes;
  }

  getTreeItem(node: DepNode): vscode.TreeItem {
    switch (node.type) {
      case 'section': {
        const label =
          node.section === 'containers' ? 'Running now' : node.section === 'kubernetes' ? 'Kubernetes' : 'Run history';
        const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.Expanded);
        item.id = `section:${node.section}`;
        item.contextValue = `section:${node.section}`;
        return item;
      }
      case 'container': {
        const probed = this.probedHealth(node.container);
        const item = fromPresented(presentContainer(node.container, probed));
        item.command = { command: 'helixDeploy.local.showLogs', title: 'Show Logs', arguments: [node] };
        return item;
      }
      case 'run': {
        const item = fromPresented(presentRun(node.run));
        item.command = { command: 'helixDeploy.local.showRunLog', title: 'Show Run Log', arguments: [node] };
        return item;
      }
      case 'k8s-env':
      case 'k8s-deployment':
      case 'k8s-pod':
      case 'k8s-message':
        return this.kubernetes.treeItem(node);
      case 'message': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
        item.id = `message:${node.id}`;
        item.description = node.description;
        item.iconPath = new vscode.ThemeIcon(node.icon, node.color ? new vscode.ThemeColor(node.color) : undefined);
        item.command = node.command;
        item.contextValue = node.contextValue ?? 'message';
        return item;
      }
    }
  }

  private probedHealth(c: ContainerInfo) {
    const dir = c.labels[LABEL_DIR];
    const env = c.labels[LABEL_ENVIRONMENT];
    return dir && env && c.labels[LABEL_PROJECT] ? this.c.local.health.get(envKey(dir, env))?.status : undefined;
  }
}

function fromPresented(p: Presented): vscode.TreeItem {
  const item = new vscode.TreeItem(p.label, vscode.TreeItemCollapsibleState.None);
  item.id = p.id;
  item.description = p.description;
  item.tooltip = p.tooltip;
  item.iconPath = new vscode.ThemeIcon(p.icon, p.color ? new vscode.ThemeColor(p.color) : undefined);
  item.contextValue = p.contextValue;
  return item;
}
