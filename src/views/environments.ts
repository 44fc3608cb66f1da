import { envKey } from '../core/model/environment-ref';
import * as vscode from 'vscode';
import type { Container } from '../container';
import type { ContainerInfo } from '../core/local/engine';
import { hostPort, imageRef, nameOf } from '../core/local/naming';
import type { Environment, EnvironmentKind, Project } from '../core/model/types';
import { clusterRow, isKubernetesEnv, KubernetesClusterStatus } from './kubernetes';
import { toolOf } from '../core/engine/target';
import { environmentNameProblem } from '../core/config/rules-deploy';
import type { ToolStatus } from '../core/engine/provider';
import { contextChildren, contextItem, type ContextNode } from './kubeContexts';
import type { CloudOffer } from '../core/push/cloudOffer';
import { currentDrift } from '../core/drift/status';
import { isTerminal } from '../core/engine/states';

// The Environments view: each project's environments (helix.toml and helix.deploy.toml) with a type icon,
// port and target. `contextValue` carries kind and state so menus offer Start on a stopped local
// environment and Stop/Restart/Logs on a running one.

export type EnvNode =
  | { type: 'project'; project: Project }
  | { type: 'environment'; project: Project; environment: Environment }
  | ContextNode;

const KIND_ICON: Record<EnvironmentKind, string> = {
  local: 'vm',
  enterprise: 'cloud',
  'helix-cloud': 'cloud',
  fly: 'rocket',
  ecr: 'package',
  registry: 'package',
  terraform: 'symbol-structure',
  pulumi: 'symbol-structure',
  kubernetes: 'server-environment',
};

export class EnvironmentsTree implements vscode.TreeDataProvider<EnvNode> {
  private readonly emitter = new vscode.EventEmitter<EnvNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  /** Kubernetes environments: context/namespace and cluster reachability (src/views/kubernetes.ts). */
  readonly clusters: KubernetesClusterStatus;

  constructor(private readonly c: Container) {
    c.own(this.emitter);
    c.own(c.projects.onDidChange(() => this.refresh()));
    c.own(c.pushStatus.onDidChange(() => this.refresh()));
    c.own(c.deploy.tools.onDidChange(() => this.refresh()));
    this.clusters = c.own(new KubernetesClusterStatus(c));
    c.own(this.clusters.onDidChange(() => this.refresh()));
    // The drift badge follows the run history (checks and applies from any window or the CLI).
    c.own(
      c.history.onDidChange((e) => {
        if (
          e.type === 'state' &&
          ['drift', 'plan', 'apply', 'destroy', 'rollback'].includes(e.run.kind) &&
          isTerminal(e.run.state)
        )
          this.refresh();
      }),
    );
  }

  refresh(): void {
    this.emitter.fire(undefined);
  }

  /** A missing or unusable terraform/pulumi for this environment (kubernetes shows its cluster state instead). */
  private toolProblem(
    env: Environment,
  ): Extract<ToolStatus, { state: 'missing' | 'unsupported' | 'broken' }> | undefined {
    const tool = toolOf(env);
    if (tool !== 'terraform' && tool !== 'pulumi') return undefined;
    const status = this.c.deploy.tools.get(tool);
    return status && status.state !== 'ok' ? status : undefined;
  }

  getChildren(node?: EnvNode): EnvNode[] | Promise<EnvNode[]> {
    const projects = this.c.projects.projects;
    if (!node) {
      // One project: its environments at the top level; several: grouped by project.
      const top: EnvNode[] =
        projects.length === 1 ? this.envs(projects[0]) : projects.map((project) => ({ type: 'project', project }));
      // The kubeconfig's contexts, once a project deploys to Kubernetes.
      const kube = projects.some((p) => p.environments.some(isKubernetesEnv));
      return kube ? [...top, { type: 'kube-contexts' }] : top;
    }
    if (node.type === 'project') return this.envs(node.project);
    if (node.type === 'environment') return [];
    return contextChildren(this.c, node);
  }

  /** Drift found by the last check (and not applied over since): a coloured codicon, a count, a menu entry. */
  private markDrift(item: vscode.TreeItem, project: Project, env: Environment): void {
    const d = currentDrift(
      this.c.history.list({ project: project.name, projectDir: project.dir, environment: env.name, limit: 50 }),
    );
    if (!d) return;
    const what = `${d.count} resource${d.count === 1 ? '' : 's'} changed outside ${toolOf(env)}`;
    item.description = `${item.description ?? ''} · drift: ${d.count}`;
    item.iconPath = new vscode.ThemeIcon('git-compare', new vscode.ThemeColor('helixDeploy.drift'));
    const line = `Drift (checked ${d.checkedAt}): ${what}: ${d.resources.slice(0, 10).join(', ')}${d.resources.length > 10 ? ', …' : ''}`;
    if (item.tooltip instanceof vscode.MarkdownString)
      item.tooltip.appendMarkdown(`\n\n${line.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&')}`);
    else item.tooltip = `${item.tooltip ?? ''}\n${line}`;
    item.contextValue = `${item.contextValue}:drift`;
  }

  getParent(node: EnvNode): EnvNode | undefined {
    if (node.type === 'environment' && this.c.projects.projects.length > 1)
      return { type: 'project', project: node.project };
    return undefined;
  }

  private envs(project: Project): EnvNode[] {
    return project.environments.map((environment) => ({ type: 'environment', project, environment }));
  }

  /** Containers by name, rebuilt when the watch lists anew: a lookup per row, not a scan of 1,000 containers. */
  private byName?: { of: readonly ContainerInfo[]; map: Map<string, ContainerInfo> };

  private containerOf(project: Project, env: Environment): ContainerInfo | undefined {
    const all = this.c.local.watch.containers;
    if (this.byName?.of !== all) this.byName = { of: all, map: new Map(all.map((c) => [c.name, c])) };
    return this.byName.map.get(nameOf({ project, environment: env }));
  }

  getTreeItem(node: EnvNode): vscode.TreeItem {
    if (node.type !== 'project' && node.type !== 'environment') return contextItem(node);
    if (node.type === 'project') {
      const item = new vscode.TreeItem(node.project.name, vscode.TreeItemCollapsibleState.Expanded);
      item.id = `project:${node.project.dir}`;
      item.description = vscode.workspace.asRelativePath(node.project.dir, true);
      item.iconPath = new vscode.ThemeIcon('database');
      item.contextValue = 'project';
      return item;
    }
    const { project, environment: env } = node;
    const item = new vscode.TreeItem(env.name, vscode.TreeItemCollapsibleState.None);
    item.id = `env:${envKey(project.dir, env.name)}`;
    const badName = env.source === 'helix.deploy.toml' ? environmentNameProblem(env.name) : undefined;
    if (badName) {
      // Same check as plan/apply/validate: such an environment offers no actions (they would all be refused).
      item.label = JSON.stringify(env.name);
      item.description = 'invalid name';
      item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground'));
      item.tooltip = `${project.name} / ${badName}`;
      item.contextValue = 'environment:invalid-name';
    } else if (env.kind === 'local') {
      const t = { project, environment: env };
      const c = this.containerOf(project, env);
      const engineDown = this.c.local.watch.state === 'down';
      const state = c ? (c.state === 'running' ? 'running' : 'stopped') : 'absent';
      const port = c?.ports[0]?.host ?? hostPort(t);
      item.description = `local · :${port} · ${engineDown ? 'engine unavailable' : c ? (c.state === 'running' ? (c.health !== 'none' ? c.health : 'running') : c.state) : 'not started'}`;
      item.iconPath = new vscode.ThemeIcon(
        KIND_ICON.local,
        state === 'running'
          ? new vscode.ThemeColor(c?.health === 'unhealthy' ? 'testing.iconFailed' : 'testing.iconPassed')
          : undefined,
      );
      item.tooltip = new vscode.MarkdownString(
        `**${project.name} / ${env.name}** (local Docker)\n\nContainer: \`${nameOf(t)}\`\n\nImage: \`${imageRef(t)}\`\n\nPort: 127.0.0.1:${port}`,
      );
      item.contextValue = `environment:local:${state}`;
    } else if (isKubernetesEnv(env)) {
      const row = clusterRow(this.clusters.view(project, env));
      item.description = row.description;
      item.iconPath = new vscode.ThemeIcon(
        KIND_ICON.kubernetes,
        row.color ? new vscode.ThemeColor(row.color) : undefined,
      );
      item.tooltip = `${project.name} / ${env.name} (kubernetes) from ${env.source}\n${row.tooltip}`;
      item.contextValue = `environment:kubernetes${env.protected ? ':protected' : ''}`;
    } else if (this.toolProblem(env)) {
      const problem = this.toolProblem(env)!;
      item.description = `${env.kind} · ${problem.tool} ${problem.state === 'missing' ? 'not found' : problem.state}`;
      item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
      item.tooltip = new vscode.MarkdownString(
        `**${project.name} / ${env.name}** (${env.kind})\n\n${problem.message}\n\nSet \`${problem.setting}\` (inline action) or put \`${problem.tool}\` on your PATH.`,
      );
      item.contextValue = `environment:${env.kind}${env.protected ? ':protected' : ''}:tool-missing`;
    } else if (this.c.pushStatus.offer(project, env)?.kind === 'control-plane') {
      // `database = ...`: the CLI has no deploy; the row says so and offers the control plane instead.
      const o = this.c.pushStatus.offer(project, env) as Extract<CloudOffer, { kind: 'control-plane' }>;
      item.description = [env.kind, env.target, 'managed in the Helix control plane'].filter(Boolean).join(' · ');
      item.iconPath = new vscode.ThemeIcon(KIND_ICON.enterprise);
      item.tooltip = new vscode.MarkdownString(
        `**${project.name} / ${env.name}** (Helix Cloud database)\n\n${o.message}\n\n[Open the control plane](${o.controlPlaneUrl}) · [Docs](${o.docsUrl})${o.healthUrl ? `\n\nURL: ${o.healthUrl}` : ''}`,
      );
      item.contextValue = `environment:enterprise-database${o.healthUrl ? ':url' : ''}`;
    } else {
      // Push targets show what was pushed last; others show where they point.
      const pushed = this.c.pushStatus.describe(project, env.name);
      item.description = [env.kind, pushed ?? env.target].filter(Boolean).join(' · ');
      item.iconPath = new vscode.ThemeIcon(KIND_ICON[env.kind] ?? 'globe');
      item.tooltip = `${project.name} / ${env.name} (${env.kind}) from ${env.source}${env.target ? `\n${env.target}` : ''}`;
      item.contextValue = `environment:${env.kind}${env.protected ? ':protected' : ''}`;
    }
    if (!badName && toolOf(env)) this.markDrift(item, project, env);
    if (env.range) {
      item.command = {
        command: 'vscode.open',
        title: 'Reveal in File',
        arguments: [
          vscode.Uri.file(
            env.source === 'helix.toml'
              ? project.configFile
              : project.configFile.replace(/helix\.toml$/, 'helix.deploy.toml'),
          ),
          {
            selection: new vscode.Range(
              env.range.start.line,
              env.range.start.character,
              env.range.end.line,
              env.range.end.character,
            ),
          },
        ],
      };
    }
    return item;
  }
}
