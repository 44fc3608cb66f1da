// Kubernetes objects as plain JSON, and the names Helix Deploy gives them in plans and views.

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    creationTimestamp?: string;
    ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }[];
    managedFields?: unknown[];
    [k: string]: unknown;
  };
  // spec, status, data... differ per kind and each reader knows the kind it reads; the parts several kinds
  // share are typed below (ContainerStatus, Condition).
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  [k: string]: any;
}

/** A pod's `status.containerStatuses[]` entry (the fields Helix Deploy reads). */
export interface ContainerStatus {
  name: string;
  image?: string;
  ready: boolean;
  restartCount: number;
  containerID?: string;
  state?: ContainerState;
  lastState?: ContainerState;
}

export interface ContainerState {
  waiting?: { reason?: string; message?: string };
  running?: { startedAt?: string };
  terminated?: { reason?: string; message?: string; exitCode?: number };
}

/** A `status.conditions[]` entry. */
export interface Condition {
  type: string;
  status?: string;
  reason?: string;
  message?: string;
}

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

/** The field manager for every write, so ownership in managedFields names us. */
export const FIELD_MANAGER = 'helix-deploy';

/** Labels that mark objects we own; pruning only ever touches objects carrying both. */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'helix-deploy';
export const ENVIRONMENT_LABEL = 'helix-deploy.dev/environment';

/** Kinds without a namespace among those we handle (anything else is treated as namespaced). */
export const CLUSTER_SCOPED = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'PersistentVolume',
  'StorageClass',
  'CustomResourceDefinition',
]);

export function refOf(o: KubeObject): ObjectRef {
  return {
    apiVersion: o.apiVersion,
    kind: o.kind,
    name: o.metadata.name,
    namespace: CLUSTER_SCOPED.has(o.kind) ? undefined : o.metadata.namespace,
  };
}

/** Plan address: `namespace/Kind/name` (cluster-scoped: `Kind/name`). Unique per cluster. */
export function addressOf(r: ObjectRef | KubeObject): string {
  const ref = 'metadata' in r ? refOf(r) : r;
  return ref.namespace ? `${ref.namespace}/${ref.kind}/${ref.name}` : `${ref.kind}/${ref.name}`;
}

/** Label values: at most 63 chars of [A-Za-z0-9_.-], starting and ending alphanumeric. */
export function labelValue(s: string): string {
  const v = s
    .replace(/[^A-Za-z0-9_.-]/g, '-')
    .slice(0, 63)
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  return v || 'env';
}

export function ownershipSelector(environment: string): string {
  return `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE},${ENVIRONMENT_LABEL}=${labelValue(environment)}`;
}
