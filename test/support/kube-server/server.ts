// A stand-in Kubernetes API server for tests (no real cluster can run on this machine). It speaks the real
// REST paths and JSON shapes for the objects Helix Deploy uses - discovery, namespaces, apps/v1 Deployments
// and ReplicaSets, Pods (+ pods/log with follow), Services, ConfigMaps, Secrets, Events - with list/watch
// (resourceVersion, BOOKMARK, 410 Gone), server-side apply (application/apply-patch+yaml, dryRun=All,
// fieldManager, force, 409 conflicts), merge/JSON patches, 404/409/401 as metav1.Status, and server-side
// printing for kubectl. Its fidelity is checked with the real kubectl in test/integration/kubernetes.
// Listens on 127.0.0.1 only.

import * as http from 'node:http';
import * as fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import {
  RESOURCES,
  apiVersionOf,
  byPath,
  discoveryRoot,
  qualifiedName,
  resourceList,
  type ResourceDef,
} from './resources';
import { Store, type KObj, type Watcher } from './store';
import { parseFieldSelector, parseLabelSelector } from './selectors';
import { dropNulls, jsonPatch, mergePatch, same, serverSideApply } from './apply';
import { applyDefaults } from './defaults';
import { Controllers, defaultBehavior, type Behavior } from './controllers';
import { Logs } from './logs';
import { toTable } from './table';
import { openapiGroupVersion, openapiIndex } from './openapi';

export interface KubeServerOptions {
  /** When set, requests must carry `Authorization: Bearer <token>` (else 401, like an expired credential). */
  token?: string;
  stepMs?: number;
  secondMs?: number;
  bookmarkMs?: number;
  behavior?: (image: string) => Behavior;
}

export interface KubeServer {
  url: string;
  port: number;
  store: Store;
  controllers: Controllers;
  logs: Logs;
  /** Every request as "METHOD path?query" (tests assert on what clients sent). */
  requests: string[];
  /** Replace the accepted token (simulates credential rotation / expiry). */
  setToken(token: string | undefined): void;
  expireWatches(): void;
  restartPod(namespace: string, name: string): void;
  /** Put an object as-is (defaults applied), bypassing admission; for fixtures and benchmarks. */
  seed(obj: any): KObj;
  /** Writes a kubeconfig pointing at this server and returns its path. */
  writeKubeconfig(file: string, opts?: { context?: string; namespace?: string; token?: string }): string;
  close(): Promise<void>;
}

const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
const STATUS_SUBRESOURCE = new Set(['Deployment', 'ReplicaSet', 'Pod', 'Service', 'Namespace']);
const GENERATION = new Set(['Deployment', 'ReplicaSet']);

class HttpError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

function status(code: number, reason: string, message: string, details?: unknown) {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  };
}

const notFound = (r: ResourceDef, name: string) =>
  new HttpError(404, 'NotFound', `${qualifiedName(r)} "${name}" not found`, { name, group: r.group, kind: r.resource });

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (c) => (data += c));
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}

/** Lists carry items without apiVersion/kind, like the real API server's typed lists. */
function bare(o: KObj): any {
  const { apiVersion: _a, kind: _k, ...rest } = o;
  return rest;
}

export async function startKubeServer(opts: KubeServerOptions = {}): Promise<KubeServer> {
  let token = opts.token;
  const store = new Store();
  const logs = new Logs();
  const controllers = new Controllers(store, logs, {
    stepMs: opts.stepMs ?? 30,
    secondMs: opts.secondMs ?? 1000,
    behavior: opts.behavior ?? defaultBehavior,
  });
  store.onChange = (c) => controllers.onChange(c);
  const requests: string[] = [];
  const bookmarkMs = opts.bookmarkMs ?? 1000;

  const nsRes = byPath('', 'v1', 'namespaces')!;
  for (const name of ['default', 'kube-system', 'kube-public'])
    store.put(nsRes, applyDefaults({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }));

  function send(res: http.ServerResponse, code: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(code, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(text),
      'Audit-Id': randomUUID(),
    });
    res.end(text);
  }

  function finalize(r: ResourceDef, input: any, live: KObj | undefined): any {
    const next = dropNulls(input);
    applyDefaults(next, live);
    if (live && STATUS_SUBRESOURCE.has(r.kind)) next.status = live.status;
    if (GENERATION.has(r.kind)) {
      const gen = live?.metadata.generation ?? 0;
      next.metadata.generation = !live ? 1 : same(live.spec, next.spec) ? gen : gen + 1;
    }
    return next;
  }

  /** Commits unless dry run; a write that changes nothing keeps the resourceVersion (no event). */
  function commit(r: ResourceDef, next: any, live: KObj | undefined, dryRun: boolean): KObj {
    if (live) {
      const strip = (o: any) => ({
        ...o,
        metadata: {
          ...o.metadata,
          resourceVersion: undefined,
          managedFields: (o.metadata.managedFields ?? []).map((m: any) => ({ ...m, time: undefined })),
        },
      });
      if (same(strip(live), strip(next))) return live;
    }
    if (dryRun) {
      next.metadata.uid ??= randomUUID();
      next.metadata.creationTimestamp ??= now();
      return next;
    }
    return store.put(r, next);
  }

  function checkNamespace(r: ResourceDef, ns: string | undefined): void {
    if (r.namespaced && ns && !store.get(nsRes, undefined, ns))
      throw new HttpError(404, 'NotFound', `namespaces "${ns}" not found`, { name: ns, kind: 'namespaces' });
  }

  function watch(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    r: ResourceDef,
    ns: string | undefined,
    q: URLSearchParams,
  ): void {
    const labels = parseLabelSelector(q.get('labelSelector'));
    const fields = parseFieldSelector(q.get('fieldSelector'));
    const match = (o: KObj) => labels(o.metadata.labels) && fields(o);
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    const write = (type: string, object: unknown) => res.write(JSON.stringify({ type, object }) + '\n');
    const rvParam = q.get('resourceVersion');
    if (!rvParam || rvParam === '0') {
      for (const o of store.list(r, ns)) if (match(o)) write('ADDED', o);
    } else {
      const changes = store.since(r, Number(rvParam));
      if (!changes) {
        write('ERROR', status(410, 'Expired', `too old resource version: ${rvParam} (${store.compactedRv})`));
        res.end();
        return;
      }
      for (const c of changes)
        if ((!ns || c.object.metadata.namespace === ns) && match(c.object)) write(c.type, c.object);
    }
    let ended = false;
    const timers: NodeJS.Timeout[] = [];
    const w: Watcher = {
      res: r,
      namespace: r.namespaced ? ns : undefined,
      match,
      send: (type, o) => write(type, o),
      end: () => {
        if (ended) return;
        ended = true;
        store.watchers.delete(w);
        timers.forEach(clearTimeout);
        res.end();
      },
    };
    store.watchers.add(w);
    if (q.get('allowWatchBookmarks') === 'true') {
      const tick = () => {
        write('BOOKMARK', {
          kind: r.kind,
          apiVersion: apiVersionOf(r),
          metadata: { resourceVersion: String(store.rv), annotations: { 'k8s.io/initial-events-end': 'true' } },
        });
        timers[0] = setTimeout(tick, bookmarkMs);
      };
      timers[0] = setTimeout(tick, bookmarkMs);
    }
    const timeout = Number(q.get('timeoutSeconds') ?? 1800);
    timers[1] = setTimeout(() => w.end(), timeout * 1000);
    req.on('close', () => w.end());
  }

  function podLog(res: http.ServerResponse, ns: string, name: string, q: URLSearchParams): void {
    const r = byPath('', 'v1', 'pods')!;
    const pod = store.get(r, ns, name);
    if (!pod) throw notFound(r, name);
    const cname = q.get('container') || pod.spec.containers[0].name;
    if (!pod.spec.containers.some((c: any) => c.name === cname))
      throw new HttpError(400, 'BadRequest', `container ${cname} is not valid for pod ${name}`);
    const inst = q.get('previous') === 'true' ? logs.previous(ns, name, cname) : logs.current(ns, name, cname);
    if (!inst) {
      if (q.get('previous') === 'true')
        throw new HttpError(400, 'BadRequest', `previous terminated container "${cname}" in pod "${name}" not found`);
      const reason = pod.status?.containerStatuses?.[0]?.state?.waiting?.reason ?? 'ContainerCreating';
      throw new HttpError(400, 'BadRequest', `container "${cname}" in pod "${name}" is waiting to start: ${reason}`);
    }
    const ts = q.get('timestamps') === 'true';
    const fmt = (time: string, text: string) => (ts ? `${time} ${text}\n` : `${text}\n`);
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
    const tail = q.get('tailLines');
    const lines = tail ? inst.lines.slice(-Number(tail)) : inst.lines;
    for (const l of lines) res.write(fmt(l.time, l.text));
    if (q.get('follow') !== 'true' || inst.ended) return void res.end();
    const f = { line: (time: string, text: string) => res.write(fmt(time, text)), end: () => res.end() };
    inst.followers.add(f);
    res.on('close', () => inst.followers.delete(f));
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push(`${req.method} ${url.pathname}${url.search}`);
    const q = url.searchParams;
    if (token && req.headers.authorization !== `Bearer ${token}`)
      throw new HttpError(401, 'Unauthorized', 'Unauthorized');
    const p = url.pathname.replace(/\/+$/, '') || '/';
    if (req.method === 'GET') {
      if (p === '/version')
        return send(res, 200, {
          major: '1',
          minor: '32',
          gitVersion: 'v1.32.0+helix-standin',
          gitCommit: '0000000',
          gitTreeState: 'clean',
          buildDate: '2026-01-01T00:00:00Z',
          goVersion: 'go1.23',
          compiler: 'gc',
          platform: 'linux/amd64',
        });
      if (p === '/healthz' || p === '/readyz' || p === '/livez') {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        return void res.end('ok');
      }
      if (p === '/api') return send(res, 200, discoveryRoot().api);
      if (p === '/apis') return send(res, 200, discoveryRoot().apis);
      if (p === '/api/v1') return send(res, 200, resourceList('', 'v1'));
      if (p === '/apis/apps/v1') return send(res, 200, resourceList('apps', 'v1'));
      if (p === '/openapi/v3') return send(res, 200, openapiIndex());
      if (p.startsWith('/openapi/v3/')) return send(res, 200, openapiGroupVersion(p.slice('/openapi/v3/'.length)));
    }
    let m = p.match(/^\/api\/(v1)\/(.*)$/);
    let group = '';
    let version = 'v1';
    let rest: string[];
    if (m) {
      version = m[1];
      rest = m[2].split('/');
    } else if ((m = p.match(/^\/apis\/([^/]+)\/([^/]+)\/(.*)$/))) {
      [group, version] = [m[1], m[2]];
      rest = m[3].split('/');
    } else throw new HttpError(404, 'NotFound', 'the server could not find the requested resource');
    let ns: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      ns = rest[1];
      rest = rest.slice(2);
    }
    const [resource, name, sub] = rest.map(decodeURIComponent);
    const r = byPath(group, version, resource);
    if (!r) throw new HttpError(404, 'NotFound', 'the server could not find the requested resource');
    const dryRun = q.get('dryRun') === 'All';
    const live = name ? store.get(r, ns, name) : undefined;

    switch (req.method) {
      case 'GET': {
        if (sub === 'log' && r.resource === 'pods') return podLog(res, ns!, name, q);
        if (name) {
          if (!live) throw notFound(r, name);
          return send(
            res,
            200,
            /as=Table/.test(String(req.headers.accept))
              ? toTable(r.kind, [live], live.metadata.resourceVersion, q.get('includeObject'))
              : live,
          );
        }
        if (q.get('watch') === 'true' || q.get('watch') === '1') return watch(req, res, r, ns, q);
        const labels = parseLabelSelector(q.get('labelSelector'));
        const fields = parseFieldSelector(q.get('fieldSelector'));
        const items = store.list(r, ns).filter((o) => labels(o.metadata.labels) && fields(o));
        if (/as=Table/.test(String(req.headers.accept)))
          return send(res, 200, toTable(r.kind, items, String(store.rv), q.get('includeObject')));
        return send(res, 200, {
          kind: `${r.kind}List`,
          apiVersion: apiVersionOf(r),
          metadata: { resourceVersion: String(store.rv) },
          items: items.map(bare),
        });
      }
      case 'POST': {
        const body = parseYaml(await readBody(req));
        const objName =
          body?.metadata?.name ??
          (body?.metadata?.generateName ? body.metadata.generateName + randomUUID().slice(0, 5) : undefined);
        if (!objName)
          throw new HttpError(
            422,
            'Invalid',
            `${r.kind} "" is invalid: metadata.name: Required value: name or generateName is required`,
          );
        checkNamespace(r, ns);
        if (store.get(r, ns, objName))
          throw new HttpError(409, 'AlreadyExists', `${qualifiedName(r)} "${objName}" already exists`, {
            name: objName,
            group: r.group,
            kind: r.resource,
          });
        const next = finalize(
          r,
          {
            ...body,
            apiVersion: apiVersionOf(r),
            kind: r.kind,
            metadata: { ...body.metadata, name: objName, namespace: r.namespaced ? ns : undefined },
          },
          undefined,
        );
        const manager = q.get('fieldManager') ?? 'unknown';
        next.metadata.managedFields = [
          {
            manager,
            operation: 'Update',
            apiVersion: apiVersionOf(r),
            time: now(),
            fieldsType: 'FieldsV1',
            fieldsV1: {},
          },
        ];
        return send(res, 201, commit(r, next, undefined, dryRun));
      }
      case 'PUT': {
        if (!live) throw notFound(r, name);
        const body = parseYaml(await readBody(req));
        if (body.metadata?.resourceVersion && body.metadata.resourceVersion !== live.metadata.resourceVersion)
          throw new HttpError(
            409,
            'Conflict',
            `Operation cannot be fulfilled on ${qualifiedName(r)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
            { name, group: r.group, kind: r.resource },
          );
        const next = finalize(
          r,
          {
            ...body,
            metadata: {
              ...body.metadata,
              uid: live.metadata.uid,
              creationTimestamp: live.metadata.creationTimestamp,
              managedFields: live.metadata.managedFields,
            },
          },
          live,
        );
        return send(res, 200, commit(r, next, live, dryRun));
      }
      case 'PATCH': {
        const type = String(req.headers['content-type'] ?? '').split(';')[0];
        const text = await readBody(req);
        if (type === 'application/apply-patch+yaml') {
          const manager = q.get('fieldManager');
          if (!manager) throw new HttpError(400, 'BadRequest', 'PATCH /apply requests require fieldManager to be set');
          const applied = parseYaml(text);
          if (applied?.kind !== r.kind || applied?.apiVersion !== apiVersionOf(r))
            throw new HttpError(
              400,
              'BadRequest',
              `the body of the request was in an unknown format - accepted media types include: application/apply-patch+yaml`,
            );
          if (applied.metadata?.name !== name)
            throw new HttpError(
              400,
              'BadRequest',
              `the name of the object (${applied.metadata?.name}) does not match the name on the URL (${name})`,
            );
          if (STATUS_SUBRESOURCE.has(r.kind)) delete applied.status;
          if (!live) checkNamespace(r, ns);
          const { object, conflicts } = serverSideApply(
            live,
            { ...applied, metadata: { ...applied.metadata, namespace: r.namespaced ? ns : undefined } },
            manager,
            q.get('force') === 'true',
            now(),
          );
          if (conflicts.length && q.get('force') !== 'true') {
            const list = conflicts.map((c) => `conflict with "${c.manager}" using ${apiVersionOf(r)}: ${c.field}`);
            throw new HttpError(
              409,
              'Conflict',
              `Apply failed with ${conflicts.length} conflict${conflicts.length > 1 ? 's' : ''}: ${list.join('\n')}`,
              {
                name,
                group: r.group,
                kind: r.resource,
                causes: conflicts.map((c) => ({
                  type: 'FieldManagerConflict',
                  message: `conflict with "${c.manager}" using ${apiVersionOf(r)}`,
                  field: c.field,
                })),
              },
            );
          }
          return send(res, live ? 200 : 201, commit(r, finalize(r, object, live), live, dryRun));
        }
        if (!live) throw notFound(r, name);
        const patch = JSON.parse(text);
        const patched = type === 'application/json-patch+json' ? jsonPatch(live, patch) : mergePatch(live, patch);
        return send(res, 200, commit(r, finalize(r, patched, live), live, dryRun));
      }
      case 'DELETE': {
        if (!live) throw notFound(r, name);
        if (dryRun) return send(res, 200, live);
        const gone = store.remove(r, ns, name)!;
        return send(
          res,
          200,
          r.kind === 'Namespace' || r.kind === 'Pod'
            ? gone
            : {
                kind: 'Status',
                apiVersion: 'v1',
                metadata: {},
                status: 'Success',
                details: { name, group: r.group, kind: r.resource, uid: gone.metadata.uid },
              },
        );
      }
    }
    throw new HttpError(405, 'MethodNotAllowed', `${req.method} is not supported`);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (res.headersSent) return void res.end();
      if (err instanceof HttpError) return send(res, err.code, status(err.code, err.reason, err.message, err.details));
      send(res, 500, status(500, 'InternalError', `Internal error occurred: ${err?.message ?? err}`));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    port,
    store,
    controllers,
    logs,
    requests,
    setToken: (t) => (token = t),
    expireWatches: () => store.expireWatches(),
    restartPod: (n, name) => controllers.restartPod(n, name),
    seed(obj) {
      const r = RESOURCES.find((x) => apiVersionOf(x) === obj.apiVersion && x.kind === obj.kind);
      if (!r) throw new Error(`unknown kind ${obj.apiVersion}/${obj.kind}`);
      const next = finalize(r, structuredClone(obj), undefined);
      return store.put(r, next);
    },
    writeKubeconfig(file, o = {}) {
      const ctx = o.context ?? 'standin';
      const cfg = {
        apiVersion: 'v1',
        kind: 'Config',
        // Plain HTTP on loopback: client-node only accepts http:// servers with insecure-skip-tls-verify set.
        clusters: [{ name: ctx, cluster: { server: url, 'insecure-skip-tls-verify': true } }],
        users: [{ name: `${ctx}-user`, user: o.token ? { token: o.token } : {} }],
        contexts: [{ name: ctx, context: { cluster: ctx, user: `${ctx}-user`, namespace: o.namespace ?? 'default' } }],
        'current-context': ctx,
      };
      fs.writeFileSync(file, JSON.stringify(cfg, null, 2));
      return file;
    },
    async close() {
      controllers.close();
      for (const w of [...store.watchers]) w.end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
