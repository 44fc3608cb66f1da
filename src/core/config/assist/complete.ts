import type { Generation } from '../../model/types';
import { GENERATION_TABLE, generationLabel } from '../generation';
import type { Schema } from '../schema';
import { schemaFor } from '../schema';
import type { ConfigNode } from '../tree';
import type { ConfigKind, OffsetRange } from '../types';
import { tomlKey, tomlLiteral } from '../edit';
import { cursorContext } from './context';
import { isInstanceMap, schemaAt } from './schema-walk';
import { docOf } from './hover';

// Completion from the schema at the cursor: keys, table headers, enum values, and snippets for new
// instances. Snippet syntax is VS Code's ($1, ${1|a,b|}); the CLI never sees it.

export interface CompletionSpec {
  label: string;
  kind: 'property' | 'table' | 'value' | 'snippet';
  insertText: string;
  snippet: boolean;
  detail?: string;
  documentation?: string;
  replace: OffsetRange;
  sortText?: string;
  filterText?: string;
  preselect?: boolean;
}

export interface CompleteOptions {
  kind: ConfigKind;
  generation: Generation;
  /** Tree of the current text, or the last one that parsed (keys already present are not offered). */
  tree?: ConfigNode;
  /** helix.deploy.toml: instance names of the sibling helix.toml, offered for `instance = `. */
  instances?: string[];
}

function nodeAt(tree: ConfigNode | undefined, path: readonly string[]): ConfigNode | undefined {
  let n = tree;
  for (const p of path) n = n?.entries?.get(p);
  return n;
}

function snippetValue(s: Schema): string {
  if (s.enum) return `"\${1|${(s.enum as string[]).join(',')}|}"`;
  switch (s.type) {
    case 'boolean':
      return `\${1|${s.default === true ? 'true,false' : 'false,true'}|}`;
    case 'integer':
    case 'number':
      return `\${1:${s.default ?? s.examples?.[0] ?? 0}}`;
    case 'array':
      return '[$1]';
    case 'object':
      return '{ $1 }';
    default:
      return `"\${1:${escapeSnippet(String(s.default ?? ''))}}"`;
  }
}

function escapeSnippet(s: string): string {
  return s.replace(/[$}\\]/g, (c) => `\\${c}`);
}

/** Snippets that add a whole new instance / environment table. */
function instanceSnippets(
  kind: ConfigKind,
  gen: Generation,
  tree: ConfigNode | undefined,
  replace: OffsetRange,
): CompletionSpec[] {
  const mk = (label: string, body: string, doc: string, sort: string): CompletionSpec => ({
    label,
    kind: 'snippet',
    insertText: body,
    snippet: true,
    documentation: doc,
    replace,
    sortText: sort,
    filterText: label,
  });
  if (kind === 'deploy') {
    return [
      mk(
        '[environments.<name>] terraform',
        '[environments.${1:staging}]\ninstance = "${2:dev}"\nregistry = "${3:ghcr.io/acme/helixdb}"\nterraform = { dir = "${4:infra/staging}", vars = { image = "\\${image}" } }\nprotected = ${5|false,true|}\n',
        'New environment deployed with Terraform.',
        '0a',
      ),
      mk(
        '[environments.<name>] kubernetes',
        '[environments.${1:prod-k8s}]\nkubernetes = { context = "${2:prod}", namespace = "${3:helix}", manifests = "${4:deploy/k8s}" }\n',
        'New environment deployed to Kubernetes.',
        '0b',
      ),
      mk(
        '[environments.<name>] pulumi',
        '[environments.${1:dev}]\npulumi = { dir = "${2:infra/pulumi}", stack = "${3:dev}" }\n',
        'New environment deployed with Pulumi.',
        '0c',
      ),
      mk(
        '[environments.<name>] registry',
        '[environments.${1:hub}]\ninstance = "${2:dev}"\nregistry = "${3:ghcr.io/acme/helixdb}"\n',
        'New environment that pushes the image to a registry.',
        '0d',
      ),
    ];
  }
  const out: CompletionSpec[] = [];
  if (!tree?.entries?.has('project'))
    out.push(mk('[project]', '[project]\nname = "${1:my-helix-app}"\n', 'The HelixDB project table (required).', '00'));
  const localPorts = [...(tree?.entries?.get('local')?.entries?.values() ?? [])].map((n) =>
    Number(n.entries?.get('port')?.value ?? 6969),
  );
  let port = 6969;
  while (localPorts.includes(port)) port++;
  out.push(
    mk(
      '[local.<name>]',
      gen === 'v2'
        ? `[local.\${1:dev}]\nport = \${2:${port}}\nbuild_mode = "\${3|dev,release|}"\n`
        : `[local.\${1:dev}]\nport = \${2:${port}}\n`,
      'New local instance: HelixDB in Docker on this machine.',
      '0a',
    ),
  );
  const cloud = GENERATION_TABLE[gen].cloud;
  if (cloud === 'database')
    out.push(
      mk(
        '[enterprise.<name>]',
        '[enterprise.${1:production}]\ndatabase = "${2|tenant,cluster|}:${3:id}"\n',
        `New Helix Cloud database link (${generationLabel(gen)}).`,
        '0b',
      ),
    );
  else if (cloud === 'cluster')
    out.push(
      mk(
        '[enterprise.<name>]',
        '[enterprise.${1:production}]\ncluster_id = "${2}"\n',
        `New Helix Cloud Enterprise cluster (${generationLabel(gen)}).`,
        '0b',
      ),
    );
  else {
    out.push(
      mk(
        '[enterprise.<name>]',
        '[enterprise.${1:production}]\ncluster_id = "${2}"\navailability_mode = "${3|dev,ha|}"\ngateway_node_type = "${4}"\ndb_node_type = "${5}"\n',
        'New Helix Cloud Enterprise cluster (CLI 2.x).',
        '0b',
      ),
    );
    out.push(
      mk(
        '[cloud.<name>.helix]',
        '[cloud.${1:production}.helix]\ncluster_id = "${2}"\nregion = "${3:us-east-1}"\n',
        'New Helix Cloud instance (CLI 2.x).',
        '0c',
      ),
    );
    out.push(
      mk(
        '[cloud.<name>.fly]',
        '[cloud.${1:production}.fly]\nvm_size = "${2|shared-cpu-4x,shared-cpu-8x,performance-4x,performance-8x,performance-16x,a10,a100-40gb,a100-80gb,l40s|}"\nvolume = "${3:helix_app_prod_data:/data}"\nvolume_initial_size = ${4:20}\nauth_type = "${5|Cli,ApiKey|}"\n',
        'New Fly.io instance (CLI 2.x).',
        '0d',
      ),
    );
    out.push(
      mk(
        '[cloud.<name>.ecr]',
        '[cloud.${1:staging}.ecr]\nrepository_name = "${2}"\nregion = "${3:us-east-1}"\nauth_type = "AwsCli"\n',
        'New AWS ECR target (CLI 2.x).',
        '0e',
      ),
    );
  }
  return out;
}

export function complete(text: string, offset: number, o: CompleteOptions): CompletionSpec[] {
  const root = schemaFor(o.kind === 'deploy' ? 'deploy' : o.generation);
  const ctx = cursorContext(text, offset);
  if (ctx.kind === 'none') return [];

  if (ctx.kind === 'header') {
    const s = schemaAt(root, ctx.path);
    if (!s) return [];
    const out: CompletionSpec[] = [];
    if (isInstanceMap(s)) {
      for (const name of nodeAt(o.tree, ctx.path)?.entries?.keys() ?? []) {
        out.push({
          label: name,
          kind: 'table',
          insertText: tomlKey(name),
          snippet: false,
          detail: 'existing instance',
          replace: ctx.replace,
        });
      }
      return out;
    }
    for (const [k, ps] of Object.entries<Schema>(s.properties ?? {})) {
      if (ps.type !== 'object') continue;
      out.push({
        label: k,
        kind: 'table',
        insertText: tomlKey(k),
        snippet: false,
        detail: isInstanceMap(ps) ? `[${[...ctx.path, k].join('.')}.<name>]` : 'table',
        documentation: docOf(ps, k),
        replace: ctx.replace,
      });
    }
    return out;
  }

  if (ctx.kind === 'value') {
    const s = schemaAt(root, ctx.path);
    if (!s) return [];
    if (o.kind === 'deploy' && ctx.path.length === 3 && ctx.path[2] === 'instance' && o.instances) {
      return o.instances.map((name, i) => ({
        label: JSON.stringify(name),
        kind: 'value' as const,
        insertText: JSON.stringify(name),
        snippet: false,
        detail: 'helix.toml instance',
        replace: ctx.replace,
        sortText: String(i).padStart(3, '0'),
        filterText: JSON.stringify(name),
      }));
    }
    const values: unknown[] = s.enum
      ? [...s.enum]
      : s.type === 'boolean'
        ? [true, false]
        : [...new Set([s.default, ...(s.examples ?? [])].filter((v) => v !== undefined && typeof v !== 'object'))];
    return values.map((v, i) => {
      const lit = tomlLiteral(v);
      const idx = s.enum ? s.enum.indexOf(v) : -1;
      const doc =
        idx >= 0 && s.enumDescriptions
          ? s.enumDescriptions[idx]
          : v === s.default
            ? 'Default value.'
            : 'Example value.';
      return {
        label: lit,
        kind: 'value' as const,
        insertText: lit,
        snippet: false,
        documentation: doc,
        detail: v === s.default ? 'default' : undefined,
        replace: ctx.replace,
        sortText: String(i).padStart(3, '0'),
        filterText: lit,
        preselect: v === s.default,
      };
    });
  }

  // Keys of the table at the cursor.
  const s = schemaAt(root, ctx.path);
  const out: CompletionSpec[] = [];
  const present = nodeAt(o.tree, ctx.path)?.entries;
  if (s && !isInstanceMap(s)) {
    for (const [k, ps] of Object.entries<Schema>(s.properties ?? {})) {
      if (present?.has(k) && k !== ctx.prefix) continue;
      const required = (s.required ?? []).includes(k);
      out.push({
        label: k,
        kind: 'property',
        insertText: `${tomlKey(k)} = ${snippetValue(ps)}`,
        snippet: true,
        detail: `${Array.isArray(ps.type) ? ps.type.join(' | ') : ps.type}${required ? ' (required)' : ''}`,
        documentation: docOf(ps, k),
        replace: ctx.replace,
        sortText: `${required ? '1' : '2'}${k}`,
        filterText: k,
      });
    }
  }
  if (ctx.lineStart) out.push(...instanceSnippets(o.kind, o.generation, o.tree, ctx.replace));
  // Inside [local.<name>] of a generation with s3 storage (not 2.x, not 3.0): offer the s3 sub-table.
  if (
    ctx.lineStart &&
    o.kind === 'helix' &&
    GENERATION_TABLE[o.generation].storage.includes('s3') &&
    ctx.path.length === 2 &&
    ctx.path[0] === 'local' &&
    !present?.has('s3')
  ) {
    out.push({
      label: `[local.${ctx.path[1]}.s3]`,
      kind: 'snippet',
      insertText: `[local.${tomlKey(ctx.path[1])}.s3]\nbucket = "\${1}"\nregion = "\${2:us-east-1}"\n`,
      snippet: true,
      documentation: 'S3 storage settings (needs storage = "s3").',
      replace: ctx.replace,
      sortText: '0s',
      filterText: `[local.${ctx.path[1]}.s3]`,
    });
  }
  return out;
}
