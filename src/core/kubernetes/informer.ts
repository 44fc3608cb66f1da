import { messageOf } from '../errors';
import { KubeError, type KubeCluster, type WatchHandle } from './cluster';
import type { KubeObject } from './objects';

// List, then watch from the list's resourceVersion; bookmarks advance the version while nothing changes;
// a closed watch resumes from the last version; 410 Gone (history compacted) means re-list and go on.
// No polling: between events nothing is sent or received except the server's bookmarks.

export type InformerEvent =
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: KubeObject }
  | { type: 'RESYNC'; objects: KubeObject[] }
  | { type: 'ERROR'; error: KubeError; retrying: boolean };

export interface InformerOptions {
  labelSelector?: string;
  fieldSelector?: string;
  /** Server-side watch timeout; the informer reconnects afterwards (default 300 s). */
  timeoutSeconds?: number;
  /** Back-off bounds for reconnecting after an error (ms). */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

const key = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

export class Informer {
  private readonly objects = new Map<string, KubeObject>();
  private rv = '';
  private handle?: WatchHandle;
  private stopped = false;
  private backoff: number;
  private retryTimer?: NodeJS.Timeout;
  private watchdog?: NodeJS.Timeout;
  readonly stats = { lists: 0, watches: 0, gone: 0, bookmarks: 0 };

  constructor(
    private readonly cluster: KubeCluster,
    readonly apiVersion: string,
    readonly kind: string,
    readonly namespace: string | undefined,
    private readonly opts: InformerOptions,
    private readonly listener: (e: InformerEvent) => void,
  ) {
    this.backoff = opts.minBackoffMs ?? 100;
  }

  get resourceVersion(): string {
    return this.rv;
  }

  items(): KubeObject[] {
    return [...this.objects.values()];
  }

  /** Initial list; rejects with a KubeError when the cluster cannot be reached (the caller shows it). */
  async start(): Promise<void> {
    await this.list();
    this.watch();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.watchdog);
    this.handle?.stop();
    this.handle = undefined;
  }

  private async list(): Promise<void> {
    this.stats.lists++;
    const r = await this.cluster.list(this.apiVersion, this.kind, this.namespace, {
      labelSelector: this.opts.labelSelector,
      fieldSelector: this.opts.fieldSelector,
    });
    this.objects.clear();
    for (const o of r.items) {
      o.apiVersion ??= this.apiVersion;
      o.kind ??= this.kind;
      this.objects.set(key(o), o);
    }
    this.rv = r.resourceVersion;
    this.listener({ type: 'RESYNC', objects: this.items() });
  }

  private watch(): void {
    if (this.stopped) return;
    this.stats.watches++;
    let gone = false;
    let ended = false;
    // The server closes a watch after timeoutSeconds; one still open well past that is a dead connection
    // (half-open TCP, a proxy that swallowed the close): drop it and resume, instead of waiting forever.
    const timeout = this.opts.timeoutSeconds ?? 300;
    clearTimeout(this.watchdog);
    this.watchdog = setTimeout(
      () => {
        if (ended || this.stopped) return;
        ended = true;
        this.handle?.stop();
        this.done(false, new KubeError('timeout', `no answer on the ${this.kind} watch for ${timeout + 30} s`));
      },
      (timeout + 30) * 1000,
    );
    const finish = (isGone: boolean, err: unknown) => {
      if (ended) return;
      ended = true;
      clearTimeout(this.watchdog);
      this.done(isGone, err);
    };
    this.cluster
      .watch(
        this.apiVersion,
        this.kind,
        this.namespace,
        {
          labelSelector: this.opts.labelSelector,
          fieldSelector: this.opts.fieldSelector,
          resourceVersion: this.rv,
          timeoutSeconds: this.opts.timeoutSeconds ?? 300,
        },
        (type, obj) => {
          if (this.stopped) return;
          if (type === 'BOOKMARK') {
            this.stats.bookmarks++;
            this.rv = obj?.metadata?.resourceVersion ?? this.rv;
            return;
          }
          if (type === 'ERROR') {
            if (obj?.code === 410) gone = true;
            return;
          }
          this.backoff = this.opts.minBackoffMs ?? 100;
          this.rv = obj.metadata.resourceVersion ?? this.rv;
          if (type === 'DELETED') this.objects.delete(key(obj));
          else this.objects.set(key(obj), obj);
          this.listener({ type, object: obj });
        },
        (err) => finish(gone || (err instanceof KubeError && err.kind === 'gone'), err),
      )
      .then(
        (h) => {
          if (this.stopped || ended) h.stop();
          else this.handle = h;
        },
        (err) => finish(false, err),
      );
  }

  private done(gone: boolean, err: unknown): void {
    this.handle = undefined;
    if (this.stopped) return;
    if (gone) {
      // History compacted: our version is too old. Re-list (the listener gets a RESYNC) and watch again.
      this.stats.gone++;
      this.list().then(
        () => this.watch(),
        (e) => this.retry(e),
      );
      return;
    }
    if (err) return this.retry(err);
    this.watch(); // server closed the watch normally (timeoutSeconds): resume from the last version
  }

  private retry(err: unknown): void {
    if (this.stopped) return;
    const error = err instanceof KubeError ? err : new KubeError('other', messageOf(err));
    this.listener({ type: 'ERROR', error, retrying: true });
    const wait = this.backoff;
    this.backoff = Math.min(this.backoff * 2, this.opts.maxBackoffMs ?? 5000);
    this.retryTimer = setTimeout(() => {
      if (this.stopped) return;
      // After an error we cannot know whether events were missed while disconnected: the watch from our
      // last version replays them, or answers 410 and we re-list.
      this.watch();
    }, wait);
  }
}
