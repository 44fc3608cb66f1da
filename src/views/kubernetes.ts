import { envKey } from '../core/model/environment-ref';
import * as vscode from 'vscode';
import type { Container } from '../container';
import { messageOf } from '../core/errors';
import type { LiveWorkloads } from '../core/kubernetes/live-workloads';
import { age, type DeploymentRow, type PodRow } from '../core/kubernetes/pods-view';
import { kubernetesSettings } from '../core/kubernetes/target';
import type { Environment, Project } from '../core/model/types';
import { settingKubeconfig } from '../services/kubernetes/runtime';

// Kubernetes environments in the two trees of the local loop (src/views/environments.ts, deployments.ts):
//  - Environments: context/namespace and whether the cluster answers. Checked once per context and again
//    when projects or the kubeconfig setting change - never polled.
//  - Deployments: Deployment -> pods (phase, ready containers, restarts, age), kept live by watches that run
//    only while the Deployments view is visible and are disposed when it is hidden (no traffic while idle).

export type ClusterState =
  | { state: 'checking' }
  | { state: 'reachable'; namespaces: number }
  | { state: 'unreachable' | 'no-kubeconfig' | 'config' | 'untrusted'; message: string };

export interface ClusterView {
  context?: string;
  namespace?: string;
  cluster: ClusterState;
}

export function isKubernetesEnv(env: Environment): boolean {
  return env.kind === 'kubernetes' || !!env.settings?.kubernetes;
}

export class KubernetesClusterStatus implements vscode.Disposable {
  private readonly cache = new Map<string, ClusterState>();
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;
  private readonly subs: vscode.Disposable[] = [];

  constructor(private readonly c: Container) {
    const reset = () => {
      this.cache.clear();
      this.emitter.fire();
    };
    this.subs.push(
      this.emitter,
      c.projects.onDidChange(reset),
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('helixDeploy.kubernetes') && reset()),
      vscode.workspace.onDidGrantWorkspaceTrust(reset),
    );
  }

  /** What the Environments row shows; starts a reachability check the first time a context is seen. */
  view(project: Project, env: Environment): ClusterView {
    let t;
    try {
      t = kubernetesSettings(env, project.dir);
    } catch (err) {
      return { cluster: { state: 'config', message: messageOf(err) } };
    }
    const k = this.c.kubernetes;
    const file = t.kubeconfig ?? settingKubeconfig();
    const contexts = k.contexts({ file });
    if (contexts.state !== 'ok')
      return {
        context: t.context,
        namespace: t.namespace,
        cluster: { state: 'no-kubeconfig', message: contexts.message },
      };
    const context = t.context ?? contexts.current;
    if (!contexts.contexts.some((x) => x.name === context)) {
      return {
        context,
        namespace: t.namespace,
        cluster: { state: 'config', message: `context "${context}" is not in ${contexts.files.join(', ')}` },
      };
    }
    // kubeconfig exec plugins run programs: no cluster call in Restricted Mode.
    if (!this.c.trusted)
      return {
        context,
        namespace: t.namespace,
        cluster: { state: 'untrusted', message: 'not contacted in Restricted Mode' },
      };
    const key = `${file ?? ''}\u0000${context}`;
    let state = this.cache.get(key);
    if (!state) {
      state = { state: 'checking' };
      this.cache.set(key, state);
      void k.namespaces(context, { file, timeoutMs: 5000 }).then((r) => {
        if (this.cache.get(key)?.state !== 'checking') return; // reset meanwhile
        this.cache.set(
          key,
          r.state === 'ok'
            ? { state: 'reachable', namespaces: r.namespaces.length }
            : { state: 'unreachable', message: r.message },
        );
        this.emitter.fire();
      });
    }
    return { context, namespace: t.namespace, cluster: state };
  }

  dispose(): void {
    for (const s of this.subs.splice(0)) s.dispose();
  }
}

/** The Environments row of a kubernetes environment: description, tooltip and an icon colour. */
export function clusterRow(v: ClusterView): { description: string; tooltip: string; color?: string } {
  const where = `${v.context ?? '(current context)'}/${v.namespace ?? 'default'}`;
  const s = v.cluster;
  const state =
    s.state === 'reachable'
      ? 'reachable'
      : s.state === 'checking'
        ? 'checking…'
        : s.state === 'untrusted'
          ? 'not checked'
          : 'unreachable';
  const message =
    'message' in s
      ? s.message
      : s.state === 'reachable'
        ? `the API server answered (${s.namespaces} namespaces)`
        : 'contacting the API server…';
  const color =
    s.state === 'reachable'
      ? 'testing.iconPassed'
      : s.state === 'checking' || s.state === 'untrusted'
        ? undefined
        : 'list.warningForeground';
  return {
    description: `kubernetes · ${where} · ${state}`,
    tooltip: `Context ${v.context ?? '(current)'}, namespace ${v.namespace ?? 'default'}\nCluster: ${state} - ${message}`,
    color,
  };
}

export type KubeNode =
  | { type: 'k8s-env'; key: string; project: Project; environment: Environment }
  /** project/environment/deployment: the argument the Show Workload Logs and Rollback commands take. */
  | {
      type: 'k8s-deployment';
      key: string;
      env: string;
      name: string;
      project: Project;
      environment: Environment;
      deployment: string;
    }
  | { type: 'k8s-pod'; key: string; pod: PodRow }
  | { type: 'k8s-message'; key: string; label: string; description?: string; icon: string; color?: string };

interface Live {
  project: Project;
  environment: Environment;
  workloads?: LiveWorkloads;
  error?: string;
  subs: vscode.Disposable[];
}

/** The Deployments view's "Kubernetes" section. Watches run only between setVisible(true) and setVisible(false). */
export class KubernetesWorkloadsSection implements vscode.Disposable {
  private readonly live = new Map<string, Live>();
  private visible = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly subs: vscode.Disposable[] = [];

  constructor(
    private readonly c: Container,
    private readonly refresh: () => void,
  ) {
    // Environments added, removed or edited: watch the new set (only while visible).
    // Another kubeconfig (or timeout) is another cluster: reconnect the watches.
    this.subs.push(
      c.projects.onDidChange(() => this.visible && this.restart()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.visible && this.restart()),
      vscode.workspace.onDidChangeConfiguration(
        (e) => e.affectsConfiguration('helixDeploy.kubernetes') && this.visible && this.restart(),
      ),
    );
  }

  environments(): { project: Project; environment: Environment }[] {
    return this.c.projects.projects.flatMap((project) =>
      project.environments.filter(isKubernetesEnv).map((environment) => ({ project, environment })),
    );
  }

  /** Whether any watch is open (tests: none while the view is hidden). */
  get watching(): boolean {
    return [...this.live.values()].some((l) => l.workloads);
  }

  /** Rows of one environment (what the tree shows under it). */
  rows(project: Project, environment: Environment): DeploymentRow[] {
    return this.live.get(envKey(project.dir, environment.name))?.workloads?.rows() ?? [];
  }

  setVisible(visible: boolean): void {
    if (visible === this.visible) return;
    this.visible = visible;
    if (visible) this.start();
    else this.stop();
    this.refresh();
  }

  private restart(): void {
    this.stop();
    this.start();
    this.refresh();
  }

  private start(): void {
    if (!this.c.trusted) return;
    for (const { project, environment } of this.environments()) {
      const l: Live = { project, environment, subs: [] };
      this.live.set(envKey(project.dir, environment.name), l);
      try {
        const w = this.c.kubernetes.workloads(project, environment);
        l.workloads = w;
        l.subs.push(
          w.onDidChange(() => this.changed()),
          w.onDidChangeState(() => this.changed()),
        );
        void w.start();
      } catch (err) {
        // No kubeconfig, unknown context, bad settings: shown on the environment's row.
        l.error = messageOf(err);
      }
    }
  }

  private stop(): void {
    for (const l of this.live.values()) {
      for (const s of l.subs.splice(0)) s.dispose();
      l.workloads?.dispose();
    }
    this.live.clear();
    clearTimeout(this.timer);
  }

  /** Watch events come in bursts (a rollout): one redraw per burst. */
  private changed(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.refresh(), 50);
  }

  children(node?: KubeNode): KubeNode[] {
    if (!node)
      return this.environments().map(({ project, environment }) => ({
        type: 'k8s-env',
        key: envKey(project.dir, environment.name),
        project,
        environment,
      }));
    if (node.type === 'k8s-env') {
      const msg = (id: string, label: string, icon: string, description?: string, color?: string): KubeNode[] => [
        { type: 'k8s-message', key: `${node.key}#${id}`, label, icon, description, color },
      ];
      if (!this.c.trusted)
        return msg('untrusted', 'Restricted Mode', 'shield', 'trust this workspace to contact clusters');
      if (!this.visible) return msg('hidden', 'Not watching', 'eye-closed');
      const l = this.live.get(node.key);
      if (!l) return msg('none', 'Not watching', 'eye-closed');
      if (l.error) return msg('error', 'Cluster unavailable', 'warning', l.error, 'list.warningForeground');
      const s = l.workloads!.state;
      const rows = l.workloads!.rows();
      if (s.state === 'error' && !rows.length)
        return msg(
          'error',
          s.retrying ? 'Cluster unreachable, retrying' : 'Cluster unreachable',
          'warning',
          s.message,
          'list.warningForeground',
        );
      if (s.state === 'starting' && !rows.length) return msg('starting', 'Connecting to the cluster…', 'loading~spin');
      if (!rows.length) return msg('empty', 'No Deployments', 'info', `namespace ${l.workloads!.namespace}`);
      return rows.map((r) => ({
        type: 'k8s-deployment',
        key: `${node.key}#${r.name}`,
        env: node.key,
        name: r.name,
        project: node.project,
        environment: node.environment,
        deployment: r.name,
      }));
    }
    if (node.type === 'k8s-deployment') {
      const row = this.live
        .get(node.env)
        ?.workloads?.rows()
        .find((r) => r.name === node.name);
      return (row?.pods ?? []).map((pod) => ({ type: 'k8s-pod', key: `${node.key}/${pod.name}`, pod }));
    }
    return [];
  }

  treeItem(node: KubeNode): vscode.TreeItem {
    switch (node.type) {
      case 'k8s-env': {
        const item = new vscode.TreeItem(node.environment.name, vscode.TreeItemCollapsibleState.Expanded);
        item.id = `k8s:${node.key}`;
        let ns: string | undefined;
        try {
          ns = kubernetesSettings(node.environment, node.project.dir).namespace;
        } catch {
          ns = undefined;
        }
        item.description = `${node.project.name}${ns ? ` · ${ns}` : ''}`;
        item.iconPath = new vscode.ThemeIcon('server-environment');
        item.contextValue = 'kubernetes:environment';
        return item;
      }
      case 'k8s-deployment': {
        const row = this.live
          .get(node.env)
          ?.workloads?.rows()
          .find((r) => r.name === node.name);
        const item = new vscode.TreeItem(
          node.name,
          row?.pods.length ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None,
        );
        item.id = `k8s:${node.key}`;
        const ready = row ? row.ready >= row.desired && row.updated >= row.desired : false;
        item.description = row ? `${row.ready}/${row.desired} ready${row.image ? ` · ${row.image}` : ''}` : '';
        item.iconPath = new vscode.ThemeIcon(
          'layers',
          new vscode.ThemeColor(ready ? 'testing.iconPassed' : 'list.warningForeground'),
        );
        item.contextValue = 'kubernetes:deployment';
        return item;
      }
      case 'k8s-pod': {
        const p = node.pod;
        const item = new vscode.TreeItem(p.name, vscode.TreeItemCollapsibleState.None);
        item.id = `k8s:${node.key}`;
        item.description = podDescription(p);
        const ok = p.ready === p.containers && p.phase === 'Running';
        item.iconPath = new vscode.ThemeIcon(
          ok ? 'pass' : 'warning',
          new vscode.ThemeColor(ok ? 'testing.iconPassed' : 'list.warningForeground'),
        );
        item.tooltip = `${p.name}\nStatus: ${p.status} (phase ${p.phase})\nReady containers: ${p.ready}/${p.containers}\nRestarts: ${p.restarts}`;
        item.contextValue = 'kubernetes:pod';
        return item;
      }
      case 'k8s-message': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
        item.id = `k8s:${node.key}`;
        item.description = node.description;
        item.tooltip = node.description;
        item.iconPath = new vscode.ThemeIcon(node.icon, node.color ? new vscode.ThemeColor(node.color) : undefined);
        item.contextValue = 'message';
        return item;
      }
    }
  }

  dispose(): void {
    this.stop();
    for (const s of this.subs.splice(0)) s.dispose();
  }
}

/** "Running · 1/1 ready · 0 restarts · 5m": the pod columns kubectl prints. */
export function podDescription(p: PodRow, now = Date.now()): string {
  return `${p.status} · ${p.ready}/${p.containers} ready · ${p.restarts} restart${p.restarts === 1 ? '' : 's'} · ${age(p.createdAt, now)}`;
}
