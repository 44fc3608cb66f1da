import { messageOf } from '../errors';
import { KubeError, type KubeCluster } from './cluster';
import { Informer, type InformerEvent } from './informer';
import type { KubeObject } from './objects';

// Logs of a whole workload: every container of every pod matching the selector, each line prefixed with
// `[pod/container]`, following across container restarts (a new container instance gets a new stream from
// its first line) and rollouts (new pods are picked up from the pod watch, deleted pods are closed).

export interface WorkloadLogOptions {
  namespace: string;
  /** Label selector of the workload's pods (a Deployment's spec.selector.matchLabels). */
  selector: string;
  signal: AbortSignal;
  onLine(line: string): void;
  /** Lines of history per container when the view opens (default 50). */
  tailLines?: number;
  /** Redacts each line before it is shown (known secrets). */
  redact?(line: string): string;
}

interface Stream {
  /** containerID the stream follows: a restart changes it. */
  containerId: string;
  ctl: AbortController;
}

export class WorkloadLogs {
  private readonly streams = new Map<string, Stream>();
  private informer?: Informer;
  private stopped = false;

  constructor(
    private readonly cluster: KubeCluster,
    private readonly o: WorkloadLogOptions,
  ) {
    o.signal.addEventListener('abort', () => this.stop(), { once: true });
  }

  private emit(line: string): void {
    this.o.onLine(this.o.redact ? this.o.redact(line) : line);
  }

  /** Rejects (KubeError) when the cluster cannot be reached; afterwards it keeps following until stopped. */
  async start(): Promise<void> {
    this.informer = new Informer(this.cluster, 'v1', 'Pod', this.o.namespace, { labelSelector: this.o.selector }, (e) =>
      this.onPods(e),
    );
    await this.informer.start();
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.informer?.stop();
    for (const s of this.streams.values()) s.ctl.abort();
    this.streams.clear();
  }

  private onPods(e: InformerEvent): void {
    if (this.stopped) return;
    if (e.type === 'ERROR') return this.emit(`[logs] pod watch interrupted (${e.error.message}); reconnecting`);
    if (e.type === 'DELETED') {
      for (const [k, s] of this.streams) {
        if (k.startsWith(`${e.object.metadata.name}/`)) {
          s.ctl.abort();
          this.streams.delete(k);
        }
      }
      return this.emit(`[${e.object.metadata.name}] pod deleted`);
    }
    const pods = e.type === 'RESYNC' ? e.objects : [e.object];
    for (const p of pods) this.sync(p, e.type === 'RESYNC');
  }

  /** Starts a stream for every running container instance we do not follow yet. */
  private sync(p: KubeObject, initial: boolean): void {
    for (const cs of p.status?.containerStatuses ?? []) {
      const key = `${p.metadata.name}/${cs.name}`;
      const running = !!cs.state?.running;
      const id = cs.containerID ?? `${cs.restartCount}`;
      const cur = this.streams.get(key);
      if (!running || (cur && cur.containerId === id)) continue;
      if (cur) cur.ctl.abort();
      const restarted = !!cur || (!initial && cs.restartCount > 0);
      if (restarted) this.emit(`[${key}] container restarted (restart ${cs.restartCount})`);
      else if (!initial) this.emit(`[${key}] new pod`);
      this.follow(p.metadata.name, cs.name, id, initial ? (this.o.tailLines ?? 50) : undefined);
    }
  }

  private follow(pod: string, container: string, containerId: string, tailLines: number | undefined): void {
    const key = `${pod}/${container}`;
    const ctl = new AbortController();
    this.streams.set(key, { containerId, ctl });
    this.cluster
      .logs(
        this.o.namespace,
        pod,
        { container, follow: true, tailLines },
        (line) => this.emit(`[${key}] ${line}`),
        ctl.signal,
      )
      .then(
        () => {
          // The stream ends when the container stops; the pod watch starts the next instance's stream.
          if (!ctl.signal.aborted && !this.stopped) this.emit(`[${key}] log stream ended (container stopped)`);
        },
        (err) => {
          if (ctl.signal.aborted || this.stopped) return;
          // "waiting to start" and friends: the next pod update (container running) retries.
          if (this.streams.get(key)?.ctl === ctl) this.streams.delete(key);
          if (!(err instanceof KubeError && err.kind === 'invalid'))
            this.emit(`[${key}] cannot read logs: ${messageOf(err)}`);
        },
      );
  }
}
