import * as vscode from 'vscode';
import type { Container } from '../container';
import type { Environment, Project } from '../core/model/types';
import type { PanelBackend } from './host/backend';
import { PlanDiffProvider, PLAN_SCHEME } from './host/diffProvider';
import { containerName } from '../core/model/types';
import { followContainerLogs, followWorkloadLogs } from './host/containerLogs';
import { toolOf } from '../core/engine/target';
import { kubernetesSettings } from '../core/kubernetes/target';
import { DeployPanelBackend, type DeployPanelBackendDeps } from './host/engineBackend';
import { envKey as keyOf, parseEnvKey } from '../core/model/environment-ref';
import { DeploymentPanel, PANEL_VIEW_TYPE, webviewOptions } from './host/panel';
import { pickEnvironment } from '../ui/pickEnvironment';

// The deployment panel: one webview panel per environment (plan review, approval, live logs, health).
// Commands: helixDeploy.panel.open (palette + environment context menu). Restored after a window reload by a
// WebviewPanelSerializer (the app stores its environment key with setState).

export const OPEN_PANEL_COMMAND = 'helixDeploy.panel.open';

/** What the panel's backend needs from the container's services (read when the first panel opens). */
export function servicesOf(c: Container): DeployPanelBackendDeps {
  const { engine, redactor } = c.deploy;
  return {
    engine,
    // The lazy engine opens the journal on first use; ask for it now so a restored panel finds its run.
    ready: engine.get().then(() => undefined),
    projects: () => c.projects.projects,
    // The command shows progress and the outcome; the Drift view follows the run's end.
    checkDrift: async (project, environment) =>
      void (await vscode.commands.executeCommand('helixDeploy.checkDrift', { project, environment })),
    health: c.health,
    redact: (t) => redactor.redact(t),
    // The panel's second log source: the container of a local environment, or every pod of a Kubernetes one.
    followContainer: (envKey, onLines) => {
      const { projectDir: dir, environment: name } = parseEnvKey(envKey);
      const project = c.projects.find(dir);
      const env = project?.environments.find((e) => e.name === name);
      const stopped = (e: unknown) => c.log.warn(`log follower for ${name} stopped: ${String(e)}`);
      if (env && project && toolOf(env) === 'kubernetes') {
        const t = kubernetesSettings(env, project.dir);
        return followWorkloadLogs(
          c.kubernetes.provider.cluster(t.context, t.kubeconfig),
          t.namespace,
          env.name,
          onLines,
          stopped,
          (l) => redactor.redact(l),
        );
      }
      return followContainerLogs(c.local.engine, containerName(project?.name ?? '', name), onLines, stopped);
    },
  };
}

/** The argument a tree item passes (EnvNode of src/views/environments.ts), or an env key string. */
type OpenArg = string | { project?: Pick<Project, 'dir'>; environment?: Pick<Environment, 'name'> } | undefined;

export class PanelManager implements vscode.Disposable {
  private readonly panels = new Map<string, DeploymentPanel>();
  private backend: DeployPanelBackend | undefined;
  readonly diff = new PlanDiffProvider();

  constructor(private readonly c: Container) {}

  private getBackend(): PanelBackend {
    return (this.backend ??= new DeployPanelBackend(servicesOf(this.c)));
  }

  async open(arg: OpenArg): Promise<void> {
    const key =
      typeof arg === 'string'
        ? arg
        : arg?.project && arg.environment
          ? keyOf(arg.project.dir, arg.environment.name)
          : await this.pick();
    if (!key) return;
    const existing = this.panels.get(key);
    if (existing) return existing.reveal();
    const panel = vscode.window.createWebviewPanel(
      PANEL_VIEW_TYPE,
      'Deploy',
      vscode.ViewColumn.Active,
      webviewOptions(this.c.context.extensionUri),
    );
    this.attach(key, panel);
  }

  attach(key: string, panel: vscode.WebviewPanel): void {
    const p = new DeploymentPanel(
      key,
      panel,
      this.getBackend(),
      this.c.context.extensionUri,
      this.c.log,
      this.diff,
      () => this.panels.delete(key),
    );
    this.panels.set(key, p);
  }

  /** Re-send snapshots after the projects changed (an environment became protected, was renamed...). */
  refreshAll(): void {
    for (const p of this.panels.values()) p.refresh();
  }

  private async pick(): Promise<string | undefined> {
    await this.c.projects.refresh();
    const picked = await pickEnvironment(this.c, () => true, {
      title: 'Helix: Open Deployment Panel',
      none: 'No HelixDB environments found: add one to helix.toml or helix.deploy.toml.',
    });
    return picked && keyOf(picked.project.dir, picked.environment.name);
  }

  dispose(): void {
    for (const p of [...this.panels.values()]) p.dispose();
    this.panels.clear();
    this.backend?.dispose();
    this.diff.dispose();
  }
}

export function registerPanel(c: Container): PanelManager {
  const m = c.own(new PanelManager(c));
  c.own(vscode.workspace.registerTextDocumentContentProvider(PLAN_SCHEME, m.diff));
  c.registerCommand(OPEN_PANEL_COMMAND, (arg?: OpenArg) => m.open(arg));
  c.own(c.projects.onDidChange(() => m.refreshAll()));
  c.own(
    vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
      async deserializeWebviewPanel(panel, state: unknown) {
        const key = (state as { envKey?: unknown } | undefined)?.envKey;
        if (typeof key !== 'string' || !key) {
          panel.dispose();
          return;
        }
        await c.projects.refresh(); // restore after the environments are known
        m.attach(key, panel);
      },
    }),
  );
  return m;
}
