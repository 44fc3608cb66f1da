// Server-side printing (meta.k8s.io/v1 Table), which `kubectl get` asks for with
// `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`. Columns follow pkg/printers/internalversion.

import type { KObj } from './store';

export function age(ts: string | undefined): string {
  if (!ts) return '<unknown>';
  const s = Math.max(0, Math.floor((Date.now() - Date.parse(ts)) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  return `${Math.floor(s / 3600)}h`;
}

const col = (name: string, type = 'string', format = '') => ({ name, type, format, description: name, priority: 0 });

function podStatus(p: KObj): string {
  for (const s of p.status?.containerStatuses ?? []) {
    if (s.state?.waiting?.reason) return s.state.waiting.reason;
    if (s.state?.terminated?.reason) return s.state.terminated.reason;
  }
  return p.status?.phase ?? 'Pending';
}

function columns(kind: string) {
  switch (kind) {
    case 'Pod':
      return {
        defs: [col('Name', 'string', 'name'), col('Ready'), col('Status'), col('Restarts', 'string'), col('Age')],
        cells: (p: KObj) => {
          const cs = p.status?.containerStatuses ?? [];
          const restarts = cs.reduce((n: number, s: any) => n + (s.restartCount ?? 0), 0);
          return [
            p.metadata.name,
            `${cs.filter((s: any) => s.ready).length}/${p.spec?.containers?.length ?? 0}`,
            podStatus(p),
            String(restarts),
            age(p.metadata.creationTimestamp),
          ];
        },
      };
    case 'Deployment':
      return {
        defs: [
          col('Name', 'string', 'name'),
          col('Ready'),
          col('Up-to-date', 'integer'),
          col('Available', 'integer'),
          col('Age'),
        ],
        cells: (d: KObj) => [
          d.metadata.name,
          `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 0}`,
          d.status?.updatedReplicas ?? 0,
          d.status?.availableReplicas ?? 0,
          age(d.metadata.creationTimestamp),
        ],
      };
    case 'ReplicaSet':
      return {
        defs: [
          col('Name', 'string', 'name'),
          col('Desired', 'integer'),
          col('Current', 'integer'),
          col('Ready', 'integer'),
          col('Age'),
        ],
        cells: (r: KObj) => [
          r.metadata.name,
          r.spec?.replicas ?? 0,
          r.status?.replicas ?? 0,
          r.status?.readyReplicas ?? 0,
          age(r.metadata.creationTimestamp),
        ],
      };
    case 'Namespace':
      return {
        defs: [col('Name', 'string', 'name'), col('Status'), col('Age')],
        cells: (n: KObj) => [n.metadata.name, n.status?.phase ?? 'Active', age(n.metadata.creationTimestamp)],
      };
    case 'Service':
      return {
        defs: [
          col('Name', 'string', 'name'),
          col('Type'),
          col('Cluster-IP'),
          col('External-IP'),
          col('Port(s)'),
          col('Age'),
        ],
        cells: (s: KObj) => [
          s.metadata.name,
          s.spec?.type,
          s.spec?.clusterIP,
          '<none>',
          (s.spec?.ports ?? []).map((p: any) => `${p.port}/${p.protocol}`).join(','),
          age(s.metadata.creationTimestamp),
        ],
      };
    case 'Event':
      return {
        defs: [col('Last Seen'), col('Type'), col('Reason'), col('Object'), col('Message')],
        cells: (e: KObj) => [
          age(e.lastTimestamp),
          e.type,
          e.reason,
          `${e.involvedObject.kind.toLowerCase()}/${e.involvedObject.name}`,
          e.message,
        ],
      };
    default:
      return {
        defs: [col('Name', 'string', 'name'), col('Age')],
        cells: (o: KObj) => [o.metadata.name, age(o.metadata.creationTimestamp)],
      };
  }
}

export function toTable(kind: string, items: KObj[], resourceVersion: string, includeObject: string | null) {
  const { defs, cells } = columns(kind);
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion },
    columnDefinitions: defs,
    rows: items.map((o) => ({
      cells: cells(o),
      object:
        includeObject === 'None'
          ? undefined
          : includeObject === 'Object'
            ? o
            : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata },
    })),
  };
}
