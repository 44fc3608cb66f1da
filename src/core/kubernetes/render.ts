import { parseAllDocuments } from 'yaml';
import { at } from '../json';
import {
  CLUSTER_SCOPED,
  ENVIRONMENT_LABEL,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  addressOf,
  labelValue,
  type KubeObject,
} from './objects';
import { HelixError, type HelixErrorOptions } from '../errors';

// Rendering = the manifests as the cluster will receive them: `${image}` replaced by the environment's image,
// the environment's namespace filled in, and our ownership labels added (on the object and on pod templates,
// so pods are attributable too). Pure: the caller reads the files.

export interface RenderInput {
  /** [file name, text] pairs in a stable order. */
  files: [string, string][];
  namespace: string;
  environment: string;
  image?: string;
}

export class RenderError extends HelixError {
  constructor(message: string, options?: HelixErrorOptions) {
    super('render', message, options);
  }
}

const WORKLOAD_TEMPLATES: Record<string, string[]> = {
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};

export function renderManifests(input: RenderInput): KubeObject[] {
  const out: KubeObject[] = [];
  const seen = new Map<string, string>();
  for (const [file, text] of input.files) {
    if (text.includes('${image}') && !input.image)
      throw new RenderError(
        `${file}: uses \${image} but the environment has no image (set kubernetes.image or build one first)`,
      );
    const substituted = input.image ? text.split('${image}').join(input.image) : text;
    const docs = parseAllDocuments(substituted);
    for (const doc of Array.isArray(docs) ? docs : [docs]) {
      if (doc.errors.length) throw new RenderError(`${file}: ${doc.errors[0].message}`);
      const value = doc.toJS();
      if (value == null) continue;
      const items = value.kind === 'List' && Array.isArray(value.items) ? value.items : [value];
      for (const obj of items) {
        if (!obj || typeof obj !== 'object' || !obj.apiVersion || !obj.kind)
          throw new RenderError(`${file}: every document needs apiVersion and kind`);
        if (!obj.metadata?.name)
          throw new RenderError(
            `${file}: ${obj.kind} without metadata.name (generateName is not supported for planned objects)`,
          );
        const o = structuredClone(obj) as KubeObject;
        if (!CLUSTER_SCOPED.has(o.kind)) o.metadata.namespace ??= input.namespace;
        o.metadata.labels = {
          ...(o.metadata.labels ?? {}),
          [MANAGED_BY_LABEL]: MANAGED_BY_VALUE,
          [ENVIRONMENT_LABEL]: labelValue(input.environment),
        };
        const tplPath = WORKLOAD_TEMPLATES[o.kind];
        if (tplPath) {
          const tpl = at(o, ...tplPath) as { metadata?: { labels?: Record<string, string> } } | undefined;
          if (tpl) {
            tpl.metadata ??= {};
            tpl.metadata.labels = {
              ...(tpl.metadata.labels ?? {}),
              [ENVIRONMENT_LABEL]: labelValue(input.environment),
            };
          }
        }
        const addr = addressOf(o);
        if (seen.has(addr)) throw new RenderError(`${file}: ${addr} is also defined in ${seen.get(addr)}`);
        seen.set(addr, file);
        out.push(o);
      }
    }
  }
  // Namespaces first, then config, then workloads: the order kubectl apply -f of a folder would need.
  const rank = (k: string) =>
    k === 'Namespace' ? 0 : k === 'ConfigMap' || k === 'Secret' || k === 'ServiceAccount' ? 1 : k === 'Service' ? 2 : 3;
  return out.sort((a, b) => rank(a.kind) - rank(b.kind));
}
