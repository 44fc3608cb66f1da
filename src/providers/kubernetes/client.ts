import { PassThrough } from 'node:stream';
import { createInterface } from 'node:readline';
import {
  KubeConfig,
  KubernetesObjectApi,
  Log,
  PatchStrategy,
  ServerConfiguration,
  Watch,
  createConfiguration,
  type KubernetesObject,
  type V1APIResource,
} from '@kubernetes/client-node';
import {
  KubeError,
  type KubeCluster,
  type ListResult,
  type LogOptions,
  type WatchEventType,
  type WatchHandle,
  type WatchOptions,
} from '../../core/kubernetes/cluster';
import { FIELD_MANAGER, type KubeObject, type ObjectRef } from '../../core/kubernetes/objects';
import { toKubeError } from './errors';

// KubeCluster over @kubernetes/client-node: KubernetesObjectApi for get/list/apply/delete (auth - token,
// client certificates, exec plugins - comes from the KubeConfig), Watch for watches, Log for pod logs.
// Every request carries a deadline: an unreachable or silent cluster becomes a KubeError, not a hang.

export interface ClusterOptions {
  /** Per-request timeout (ms) for get/list/apply/delete and for opening watches and log streams. */
  timeoutMs?: number;
}

/**
 * The object API's cached discovery lookup (kind -> plural, namespaced) is protected. Reached through a cast,
 * not a subclass: a class extending the client's at module level would load the whole client at activation.
 */
type Discovery = { resource(apiVersion: string, kind: string): Promise<V1APIResource | undefined> };

/** Objects from the typed client hold Date instances; the core wants the JSON the server sent. */
const plain = <T = KubeObject>(o: unknown): T => JSON.parse(JSON.stringify(o));

export class ClientNodeCluster implements KubeCluster {
  readonly context: string;
  private readonly api: KubernetesObjectApi;
  private readonly server: string | undefined;
  private readonly timeoutMs: number;

  constructor(
    private readonly kc: KubeConfig,
    opts: ClusterOptions = {},
  ) {
    this.context = kc.getCurrentContext();
    this.server = kc.getCurrentCluster()?.server;
    this.timeoutMs = opts.timeoutMs ?? 15000;
    const timeoutMs = this.timeoutMs;
    if (!this.server) throw new KubeError('invalid', `context "${this.context}" has no cluster server`);
    const config = createConfiguration({
      baseServer: new ServerConfiguration(this.server, {}),
      authMethods: { default: kc },
      promiseMiddleware: [
        {
          pre: async (ctx) => {
            ctx.setSignal(AbortSignal.timeout(timeoutMs));
            return ctx;
          },
          post: async (rsp) => rsp,
        },
      ],
    });
    this.api = new KubernetesObjectApi(config);
  }

  private fail(err: unknown): never {
    throw toKubeError(err, this.context, this.server, this.timeoutMs);
  }

  async apply(obj: KubeObject, opts: { dryRun?: boolean; force?: boolean }): Promise<KubeObject> {
    try {
      const r = await this.api.patch(
        obj as KubernetesObject,
        undefined,
        opts.dryRun ? 'All' : undefined,
        FIELD_MANAGER,
        opts.force ?? false,
        PatchStrategy.ServerSideApply,
      );
      return plain(r);
    } catch (err) {
      this.fail(err);
    }
  }

  async get(ref: ObjectRef): Promise<KubeObject | undefined> {
    try {
      const r = await this.api.read({
        apiVersion: ref.apiVersion,
        kind: ref.kind,
        metadata: { name: ref.name, namespace: ref.namespace },
      });
      return plain(r);
    } catch (err) {
      const e = toKubeError(err, this.context, this.server, this.timeoutMs);
      if (e.kind === 'not-found') return undefined;
      throw e;
    }
  }

  async list(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    opts: { labelSelector?: string; fieldSelector?: string } = {},
  ): Promise<ListResult> {
    try {
      const r = await this.api.list(
        apiVersion,
        kind,
        namespace,
        undefined,
        undefined,
        undefined,
        opts.fieldSelector,
        opts.labelSelector,
      );
      const items = plain<KubeObject[]>(r.items ?? []);
      for (const i of items) {
        i.apiVersion ??= apiVersion;
        i.kind ??= kind;
      }
      return { items, resourceVersion: r.metadata?.resourceVersion ?? '' };
    } catch (err) {
      this.fail(err);
    }
  }

  async delete(ref: ObjectRef): Promise<void> {
    try {
      await this.api.delete(
        { apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, namespace: ref.namespace } },
        undefined,
        undefined,
        undefined,
        undefined,
        'Background',
      );
    } catch (err) {
      this.fail(err);
    }
  }

  /** REST collection path from discovery (cached by the object API). */
  private async collectionPath(apiVersion: string, kind: string, namespace: string | undefined): Promise<string> {
    let res;
    try {
      res = await (this.api as unknown as Discovery).resource(apiVersion, kind);
    } catch (err) {
      this.fail(err);
    }
    if (!res) throw new KubeError('not-found', `the cluster does not serve ${apiVersion} ${kind}`);
    const prefix = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    return `${prefix}${res.namespaced && namespace ? `/namespaces/${namespace}` : ''}/${res.name}`;
  }

  async watch(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    opts: WatchOptions,
    onEvent: (type: WatchEventType, obj: KubeObject) => void,
    onDone: (err?: unknown) => void,
  ): Promise<WatchHandle> {
    const path = await this.collectionPath(apiVersion, kind, namespace);
    const query: Record<string, string | number | boolean> = { allowWatchBookmarks: true };
    if (opts.resourceVersion) query.resourceVersion = opts.resourceVersion;
    if (opts.labelSelector) query.labelSelector = opts.labelSelector;
    if (opts.fieldSelector) query.fieldSelector = opts.fieldSelector;
    if (opts.timeoutSeconds) query.timeoutSeconds = opts.timeoutSeconds;
    let finished = false;
    const done = (err?: unknown) => {
      if (finished) return;
      finished = true;
      onDone(
        err === null || err === undefined ? undefined : toKubeError(err, this.context, this.server, this.timeoutMs),
      );
    };
    // Watch.watch resolves once the response headers arrive; bound that wait like every other call.
    const timer = setTimeout(
      () =>
        done(
          new KubeError(
            'timeout',
            `opening a watch on ${kind} in context "${this.context}" timed out after ${Math.round(this.timeoutMs / 1000)} s`,
          ),
        ),
      this.timeoutMs,
    );
    const controller = await new Watch(this.kc)
      .watch(
        path,
        query,
        (type, obj) => !finished && onEvent(type as WatchEventType, obj),
        (err) => done(err),
      )
      .finally(() => clearTimeout(timer));
    if (finished) controller.abort();
    return {
      stop: () => {
        finished = true;
        controller.abort();
      },
    };
  }

  async logs(
    namespace: string,
    pod: string,
    opts: LogOptions,
    onLine: (line: string) => void,
    signal: AbortSignal,
  ): Promise<void> {
    const stream = new PassThrough();
    const lines = createInterface({ input: stream });
    lines.on('line', onLine);
    const ended = new Promise<void>((resolve) => lines.on('close', () => resolve()));
    let controller: AbortController;
    try {
      const open = new Log(this.kc).log(namespace, pod, opts.container, stream, {
        follow: opts.follow,
        tailLines: opts.tailLines,
        sinceTime: opts.sinceTime,
        previous: opts.previous,
        timestamps: false,
      });
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>(
        (_r, reject) =>
          (timer = setTimeout(
            () => reject(new KubeError('timeout', `opening the log of ${pod} timed out`)),
            this.timeoutMs,
          )),
      );
      controller = await Promise.race([open, timeout]).finally(() => clearTimeout(timer));
    } catch (err) {
      stream.end();
      this.fail(err);
    }
    const onAbort = () => {
      controller.abort();
      stream.end();
    };
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    await ended;
    signal.removeEventListener('abort', onAbort);
  }
}
