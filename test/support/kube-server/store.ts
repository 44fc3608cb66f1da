// The object store: one global resourceVersion counter (etcd's revision), a bounded history of changes for
// watches, and compaction so a watch from an old resourceVersion gets 410 Gone like a real cluster.

import { randomUUID } from 'node:crypto';
import type { ResourceDef } from './resources';

export type KObj = { apiVersion: string; kind: string; metadata: any; [k: string]: any };
export type WatchType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface Change {
  rv: number;
  res: ResourceDef;
  type: WatchType;
  object: KObj;
}

export interface Watcher {
  res: ResourceDef;
  namespace?: string;
  match(obj: KObj): boolean;
  send(type: WatchType, obj: KObj): void;
  end(): void;
}

export class Store {
  rv = 1;
  /** Watches asking for a resourceVersion below this get 410 Gone. */
  compactedRv = 0;
  private readonly objects = new Map<string, Map<string, KObj>>();
  private readonly history: Change[] = [];
  readonly watchers = new Set<Watcher>();
  /** Called after every committed change (the controllers react here). */
  onChange: (c: Change) => void = () => {};

  private table(res: ResourceDef): Map<string, KObj> {
    let t = this.objects.get(res.resource);
    if (!t) this.objects.set(res.resource, (t = new Map()));
    return t;
  }

  static key(ns: string | undefined, name: string): string {
    return `${ns ?? ''}/${name}`;
  }

  get(res: ResourceDef, ns: string | undefined, name: string): KObj | undefined {
    return this.table(res).get(Store.key(res.namespaced ? ns : undefined, name));
  }

  list(res: ResourceDef, ns?: string): KObj[] {
    const all = [...this.table(res).values()];
    return ns && res.namespaced ? all.filter((o) => o.metadata.namespace === ns) : all;
  }

  /** Creates or replaces; assigns resourceVersion (and uid/creationTimestamp on create). */
  put(res: ResourceDef, obj: KObj): KObj {
    const t = this.table(res);
    const k = Store.key(res.namespaced ? obj.metadata.namespace : undefined, obj.metadata.name);
    const existed = t.has(k);
    obj.metadata.uid ??= randomUUID();
    obj.metadata.creationTimestamp ??= new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    obj.metadata.resourceVersion = String(++this.rv);
    t.set(k, obj);
    this.commit({ rv: this.rv, res, type: existed ? 'MODIFIED' : 'ADDED', object: obj });
    return obj;
  }

  remove(res: ResourceDef, ns: string | undefined, name: string): KObj | undefined {
    const t = this.table(res);
    const k = Store.key(res.namespaced ? ns : undefined, name);
    const obj = t.get(k);
    if (!obj) return undefined;
    t.delete(k);
    const gone = structuredClone(obj);
    gone.metadata.resourceVersion = String(++this.rv);
    this.commit({ rv: this.rv, res, type: 'DELETED', object: gone });
    return gone;
  }

  private commit(c: Change): void {
    this.history.push(c);
    if (this.history.length > 10000) this.history.splice(0, 5000);
    for (const w of this.watchers) {
      if (w.res.resource !== c.res.resource) continue;
      if (w.namespace && c.object.metadata.namespace !== w.namespace) continue;
      if (w.match(c.object)) w.send(c.type, c.object);
    }
    this.onChange(c);
  }

  /** Changes after `rv` for one resource; undefined when `rv` was compacted away (-> 410). */
  since(res: ResourceDef, rv: number): Change[] | undefined {
    const oldest = Math.max(this.compactedRv, this.history.length ? this.history[0].rv - 1 : this.rv);
    if (rv < oldest) return undefined;
    return this.history.filter((c) => c.rv > rv && c.res.resource === res.resource);
  }

  /** Test hook: compact history and end every open watch, as an API server restart or etcd compaction does. */
  expireWatches(): void {
    this.compactedRv = ++this.rv;
    for (const w of [...this.watchers]) w.end();
  }
}
