// The slice of /openapi/v3 that kubectl reads before `apply`: it looks for a PATCH operation tagged with the
// object's x-kubernetes-group-version-kind that accepts the `fieldValidation` query parameter, and then
// leaves validation to the server (--validate=strict). Shapes follow the real v3 documents.

import { RESOURCES, type ResourceDef } from './resources';

const gvPath = (r: ResourceDef) => (r.group ? `apis/${r.group}/${r.version}` : `api/${r.version}`);

export function openapiIndex() {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const r of RESOURCES) paths[gvPath(r)] = { serverRelativeURL: `/openapi/v3/${gvPath(r)}?hash=0000000000000000` };
  return { paths };
}

export function openapiGroupVersion(gv: string) {
  const paths: Record<string, unknown> = {};
  for (const r of RESOURCES.filter((x) => gvPath(x) === gv)) {
    const base = r.namespaced ? `/${gv}/namespaces/{namespace}/${r.resource}/{name}` : `/${gv}/${r.resource}/{name}`;
    const param = (name: string) => ({
      name,
      in: 'query',
      description: name,
      schema: { type: 'string', uniqueItems: true },
    });
    paths[base] = {
      patch: {
        description: `partially update the specified ${r.kind}`,
        operationId: `patch${r.kind}`,
        parameters: ['dryRun', 'fieldManager', 'fieldValidation', 'force'].map(param),
        responses: { '200': { description: 'OK' } },
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': { group: r.group, version: r.version, kind: r.kind },
      },
    };
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.32.0' }, paths, components: { schemas: {} } };
}
