import { messageOf } from '../errors';
import { Emitter, type Disposable } from '../engine/emitter';
import type { KubeCluster } from './cluster';
import { Informer, type InformerEvent } from './informer';
import { WorkloadsModel, type DeploymentRow } from './pods-view';

// Keeps a WorkloadsModel live from three watches (deployments, replicasets, pods) of one namespace.
// Started when the view shows the environment, stopped when it is hidden: no polling, no idle traffic
// beyond the server's bookmarks. A cluster problem is a state (`error`), not an exception.

export type LiveState =
  | { state: 'starting' }
  | { state: 'live' }
  | { state: 'error'; message: string; retrying: boolean }
  | { state: 'stopped' };

export class LiveWorkloads implements Disposable {
  readonly model: WorkloadsModel;
  private readonly informers: Informer[] = [];
  private readonly changed = new Emitter<string | undefined>();
  private readonly stateChanged = new Emitter<LiveState>();
  /** Fires with the deployment whose rows changed (undefined: everything, after a resync). */
  readonly onDidChange = this.changed.event;
  readonly onDidChangeState = this.stateChanged.event;
  private current: LiveState = { state: 'stopped' };

  constructor(
    private readonly cluster: KubeCluster,
    readonly namespace: string,
  ) {
    this.model = new WorkloadsModel(namespace);
  }

  get state(): LiveState {
    return this.current;
  }

  private setState(s: LiveState): void {
    this.current = s;
    this.stateChanged.fire(s);
  }

  async start(): Promise<void> {
    if (this.informers.length) return;
    this.setState({ state: 'starting' });
    const feed = (kind: 'Deployment' | 'ReplicaSet' | 'Pod') => (e: InformerEvent) => {
      if (e.type === 'ERROR') return this.setState({ state: 'error', message: e.error.message, retrying: e.retrying });
      if (this.current.state === 'error') this.setState({ state: 'live' });
      if (e.type === 'RESYNC') {
        this.model.resync(kind, e.objects);
        this.changed.fire(undefined);
      } else {
        const dep = this.model.apply(kind, e.type, e.object);
        if (dep) this.changed.fire(dep);
      }
    };
    // ReplicaSets first so pods resolve to their deployment without guessing.
    this.informers.push(
      new Informer(this.cluster, 'apps/v1', 'ReplicaSet', this.namespace, {}, feed('ReplicaSet')),
      new Informer(this.cluster, 'apps/v1', 'Deployment', this.namespace, {}, feed('Deployment')),
      new Informer(this.cluster, 'v1', 'Pod', this.namespace, {}, feed('Pod')),
    );
    try {
      for (const i of this.informers) await i.start();
      this.setState({ state: 'live' });
    } catch (err) {
      this.stop();
      this.setState({ state: 'error', message: messageOf(err), retrying: false });
    }
  }

  rows(): DeploymentRow[] {
    return this.model.rows();
  }

  stop(): void {
    for (const i of this.informers.splice(0)) i.stop();
    if (this.current.state !== 'error') this.setState({ state: 'stopped' });
  }

  dispose(): void {
    this.stop();
    this.changed.dispose();
    this.stateChanged.dispose();
  }
}
