import { instances, leaf, table, type Schema } from './build';
import type { Generation } from '../../model/types';
import { GENERATION_TABLE, defaultsFor, generationLabel } from '../generation';

// The helix.toml schemas, one per CLI generation (facts: docs/helix-cli-compat.md, the table in ../generation.ts).
// The CLI is the authority: up to 3.1 unknown keys are ignored (no deny_unknown_fields); after the Cloud move they are
// rejected except inside [local.<name>].

const strict = (gen: Generation | 'any') => gen !== 'any' && GENERATION_TABLE[gen].strict;

const DRAFT = 'http://json-schema.org/draft-07/schema#';
const NAME_NOTE = 'The table key is the instance name; use ASCII letters, digits, `-` and `_` only.';

function project(gen: Generation | 'any'): Schema {
  const v2 = gen === 'v2';
  return table(
    'The HelixDB project. Required: a helix.toml without a [project] table is not a HelixDB project file.',
    {
      name: leaf(
        'string',
        'Project name, must not be blank. The CLI builds container names from it: `helix-<name>-<instance>`.',
        { examples: ['my-helix-app'] },
      ),
      id: leaf('string', 'Linked Helix Cloud project id (written by `helix project switch`).', {
        examples: ['project-id'],
      }),
      ...(v2
        ? {}
        : {
            workspace_id: leaf('string', 'Linked Helix Cloud workspace id.', {
              examples: ['workspace-id'],
              since: gen === 'any' ? 'v3' : undefined,
            }),
          }),
      queries: leaf(
        'string',
        v2
          ? 'Folder holding `schema.hx` and the `*.hx` query files (backslashes are normalised to `/`).'
          : gen === 'any'
            ? 'v2: folder of `schema.hx` and `*.hx` files (default `./db/`). v3: folder of the Enterprise Rust query project (default `db`).'
            : 'Folder of the Enterprise Rust query project (`Cargo.toml`, `src/`) that `helix push` runs to produce `queries.json`.',
        { default: v2 ? './db/' : 'db', examples: [v2 ? './db/' : 'db'] },
      ),
      container_runtime: leaf('string', 'Container engine the CLI drives for local instances.', {
        enum: ['docker', 'podman'],
        enumDescriptions: ['Docker (default).', 'Podman, through its Docker-compatible CLI.'],
        default: 'docker',
      }),
    },
    { required: ['name'], additionalProperties: strict(gen) ? false : undefined, examples: [{ name: 'my-helix-app' }] },
  );
}

/** CLI v2 `DbConfig`, flattened into every instance type. */
function dbConfig(): Record<string, Schema> {
  const u32 = (d: string, def: number) => leaf('integer', d, { minimum: 0, maximum: 4294967295, default: def });
  return {
    vector_config: table(
      'Vector index settings (HNSW).',
      {
        m: u32('HNSW links per node.', 16),
        ef_construction: u32('HNSW candidate list size while building.', 128),
        ef_search: u32('HNSW candidate list size while searching.', 768),
        db_max_size_gb: u32('Maximum database size in GB.', 20),
      },
      { default: {} },
    ),
    graph_config: table(
      'Graph settings.',
      {
        secondary_indices: leaf('array', 'Node properties that get a secondary index.', {
          items: { type: 'string' },
          default: [],
          examples: [['email']],
        }),
      },
      { default: {} },
    ),
    mcp: leaf('boolean', 'Serve the MCP endpoints.', { default: true }),
    bm25: leaf('boolean', 'Build the BM25 full-text index.', { default: true }),
    schema: leaf('string', 'Path of the schema file.', { examples: ['schema.hx'] }),
    embedding_model: leaf('string', 'Embedding model used by `Embed(...)` in queries.', {
      default: 'text-embedding-ada-002',
    }),
    graphvis_node_label: leaf('string', 'Node property shown as label in the graph visualiser.', {
      examples: ['name'],
    }),
  };
}

const port = (gen: Generation | 'any') =>
  leaf(
    'integer',
    (gen === 'v2'
      ? 'Host port the instance listens on (the container listens on the same port).'
      : 'Host port, mapped to the container port 8080 (`-p <port>:8080`).') +
      (gen === 'v3.0' || gen === 'any' ? ' The default was 8080 in CLI 3.0.0-3.0.7, 6969 from 3.0.8 on.' : ''),
    { minimum: 0, maximum: 65535, default: 6969 },
  );

/** `[local.<n>] tag`: a tag, or (from the release that added `pull`) an image digest `sha256:<64 hex>`. */
function tag(gen: Generation | 'any'): Schema {
  const digests = gen === 'any' || GENERATION_TABLE[gen].digestTags;
  const def = gen === 'any' ? defaultsFor('v3.4').tag : defaultsFor(gen).tag;
  const perRelease =
    'The default depends on the CLI release (3.0: `latest`; 3.1.0: `v0.0.3`; 3.1.2: `v0.0.4`; 3.4.0: `v0.0.7`; 3.4.1: `v0.0.8`; 3.4.2: `v0.0.9`; 3.4.4: `v0.0.11`).';
  return leaf('string', `Image tag${digests ? ', or an image digest `sha256:<64 hex>`' : ''}. ${perRelease}`, {
    default: def,
    examples: [def],
    ...(digests && gen !== 'any'
      ? {
          pattern: '^(sha256:[0-9a-f]{64}|[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})$',
          patternErrorMessage:
            'image version must be a tag (letters, digits, `_`, `.`, `-`; at most 128) or a digest `sha256:<64 lowercase hex digits>`',
        }
      : {}),
    since: gen === 'any' ? 'v3' : undefined,
  });
}

function pull(gen: Generation | 'any'): Schema {
  return leaf(
    'string',
    'When `helix start` pulls the image. Without it: `always` for the tag `latest`, `missing` otherwise.',
    {
      enum: ['always', 'missing', 'never'],
      enumDescriptions: [
        'Pull before every start.',
        'Pull only when the image is not on this machine.',
        'Never pull; the image must be on this machine.',
      ],
      since: gen === 'any' ? 'CLI 3.x after #1104' : undefined,
    },
  );
}

const buildMode = (def: 'dev' | 'release') =>
  leaf('string', 'Cargo profile of the generated helix-container build.', {
    enum: ['dev', 'release'],
    enumDescriptions: ['Debug build with the dev-instance routes; fast to compile.', 'Optimised release build.'],
    default: def,
  });

function s3(): Schema {
  return table(
    'S3 storage of the local instance. Required when `storage = "s3"`, not allowed otherwise.',
    {
      bucket: leaf('string', 'Bucket name, must not be blank.', { examples: ['my-bucket'] }),
      prefix: leaf('string', 'Key prefix inside the bucket (normalised to end with `/`).', { default: 'db/' }),
      region: leaf('string', 'Bucket region.', { default: 'us-east-1', examples: ['eu-west-2'] }),
      endpoint_url: leaf('string', 'Custom S3 endpoint (MinIO, R2...). Must start with `http://` or `https://`.', {
        pattern: '^https?://',
        examples: ['https://s3.example.com'],
      }),
      allow_http: leaf('boolean', 'Allow plain-HTTP endpoints.', { default: false }),
    },
    { required: ['bucket'], examples: [{ bucket: 'my-bucket' }] },
  );
}

const STORAGE_DOCS: Record<string, string> = {
  memory: 'In memory; lost when the container stops (default).',
  disk: 'On disk, through a CLI-managed storage sidecar.',
  s3: 'In an S3 bucket; needs a `[local.<name>.s3]` table (not in CLI 3.0).',
};

function local(gen: Generation | 'any'): Schema {
  const v2only = { ...(gen === 'v2' || gen === 'any' ? { build_mode: buildMode('dev'), ...dbConfig() } : {}) };
  const spec = gen === 'any' ? undefined : GENERATION_TABLE[gen];
  const storageValues = spec ? spec.storage : (['memory', 'disk', 's3'] as const);
  const v3only: Record<string, Schema> =
    gen === 'v2'
      ? {}
      : {
          image: leaf(
            'string',
            'Image the CLI runs.' + (gen === 'any' ? ' Default `ghcr.io/helixdb/enterprise-dev` in CLI 3.0.' : ''),
            {
              default: (spec ? defaultsFor(spec.id) : defaultsFor('v3.4')).image,
              since: gen === 'any' ? 'v3' : undefined,
            },
          ),
          tag: tag(gen),
          ...(spec?.pull !== false ? { pull: pull(gen) } : {}),
          storage: leaf('string', 'Where the instance keeps its data.', {
            enum: storageValues,
            enumDescriptions: storageValues.map((v) => STORAGE_DOCS[v]),
            default: 'memory',
            since: gen === 'any' ? 'v3' : undefined,
          }),
          ...(storageValues.includes('s3') ? { s3: s3() } : {}),
        };
  // Helix Deploy's own settings (build, health, sidecar_image) live in helix.deploy.toml: the CLI deletes
  // unknown keys here whenever it rewrites the file.
  return table(
    `A local instance: HelixDB in Docker on this machine. ${NAME_NOTE} Unknown keys are ignored by the CLI.`,
    { port: port(gen), ...v3only, ...v2only },
    { examples: [{ port: 6969 }] },
  );
}

function enterprise(gen: Generation | 'any'): Schema {
  const str = (d: string, ex: string) => leaf('string', d, { examples: [ex] });
  if (gen !== 'any' && GENERATION_TABLE[gen].cloud === 'database') {
    return table(
      `A Helix Cloud database linked to this project. ${NAME_NOTE} Only \`database\`, \`workspace_id\` and \`project_id\` are allowed.`,
      {
        database: leaf(
          'string',
          'The linked database: `tenant:<id>` or `cluster:<id>`; the id is 1-128 ASCII letters, digits, `-` or `_`.',
          {
            pattern: '^(tenant|cluster):[A-Za-z0-9_-]{1,128}$',
            examples: ['tenant:tenant-id', 'cluster:cluster-id'],
          },
        ),
        workspace_id: str('Helix Cloud workspace id.', 'workspace-id'),
        project_id: str('Helix Cloud project id.', 'project-id'),
      },
      { required: ['database'], additionalProperties: false, examples: [{ database: 'tenant:tenant-id' }] },
    );
  }
  const count = (d: string) => leaf('integer', d, { minimum: 0, default: 1 });
  const common = {
    cluster_id: str(
      gen === 'any' ? 'Helix Cloud cluster id (CLI 2.x to 3.1).' : 'Helix Cloud cluster id, must not be blank.',
      'ec_01HX...',
    ),
    min_instances: count('Minimum number of instances.'),
    max_instances: count('Maximum number of instances.'),
    ...dbConfig(),
  };
  if (gen === 'v2') {
    return table(
      `A Helix Cloud Enterprise cluster. ${NAME_NOTE}`,
      {
        ...common,
        availability_mode: leaf('string', 'Availability of the cluster.', {
          enum: ['dev', 'ha'],
          enumDescriptions: ['Single node, for development.', 'Highly available.'],
        }),
        gateway_node_type: str('Machine type of the gateway nodes.', 'GW-20'),
        db_node_type: str('Machine type of the database nodes.', 'HLX-40'),
      },
      {
        required: ['cluster_id', 'availability_mode', 'gateway_node_type', 'db_node_type'],
        examples: [
          { cluster_id: 'cluster-1', availability_mode: 'dev', gateway_node_type: 'GW-20', db_node_type: 'HLX-40' },
        ],
      },
    );
  }
  const v31 = {
    ...common,
    workspace_id: str('Helix Cloud workspace id.', 'workspace-id'),
    project_id: str('Helix Cloud project id.', 'project-id'),
    gateway_url: str('Gateway URL used by `helix query` (filled in by `helix sync`).', 'https://gateway.example.com'),
    query_auth_header: leaf('string', 'Header that carries the query API key.', {
      default: 'Authorization',
      examples: ['x-api-key'],
    }),
    query_auth_env: leaf('string', 'Environment variable that holds the query API key.', { default: 'HELIX_API_KEY' }),
    availability_mode: str('Availability of the cluster (filled in by `helix sync`).', 'dev'),
    gateway_node_type: str('Machine type of the gateway nodes (filled in by `helix sync`).', 'GW-20'),
    db_node_type: str('Machine type of the database nodes (filled in by `helix sync`).', 'HLX-40'),
  };
  if (gen !== 'any')
    return table(`A Helix Cloud Enterprise cluster. ${NAME_NOTE}`, v31, {
      required: ['cluster_id'],
      examples: [{ cluster_id: 'ec_01HX...' }],
    });
  const linked = enterprise('v3.4').properties;
  return table(
    `A Helix Cloud instance. CLI 3.x after #1025 and 3.4: \`database\`; CLI 3.0-3.1: \`cluster_id\`. ${NAME_NOTE}`,
    { ...v31, ...linked },
    { examples: [{ database: 'tenant:tenant-id' }] },
  );
}

function cloudV2(): Schema {
  const str = (d: string, ex: string) => leaf('string', d, { examples: [ex] });
  const helix = table(
    'Deploy to Helix Cloud.',
    {
      cluster_id: str('Helix Cloud cluster id, must not be blank.', '1f0ca9da-5f56-6a04-873b-010203040506'),
      region: str('Cluster region.', 'us-east-1'),
      build_mode: buildMode('dev'),
      env_vars: leaf('object', 'Environment variables of the deployed instance.', {
        additionalProperties: { type: 'string' },
        default: {},
        examples: [{ OPENAI_API_KEY: '...' }],
      }),
      ...dbConfig(),
    },
    { required: ['cluster_id'], examples: [{ cluster_id: 'YOUR_CLUSTER_ID' }] },
  );
  const vmSizes = [
    'shared-cpu-4x',
    'shared-cpu-8x',
    'performance-4x',
    'performance-8x',
    'performance-16x',
    'a10',
    'a100-40gb',
    'a100-80gb',
    'l40s',
  ];
  const fly = table(
    'Deploy to Fly.io (app `helix-<project>-<instance>`).',
    {
      build_mode: buildMode('release'),
      region: str('Fly.io region.', 'ord'),
      vm_size: leaf('string', 'Fly.io machine size.', {
        enum: vmSizes,
        enumDescriptions: vmSizes.map((v) => `Fly.io \`${v}\` machine.`),
      }),
      volume: str('Volume as `<name>:<mount>`.', 'helix_myapp_prod_data:/data'),
      volume_initial_size: leaf('integer', 'Initial volume size in GB.', {
        minimum: 0,
        maximum: 65535,
        examples: [20],
      }),
      private: leaf('boolean', 'Deploy without public IPs.', { default: false }),
      auth_type: leaf('string', 'How the CLI authenticates to Fly.io. The values are case-sensitive.', {
        enum: ['Cli', 'ApiKey'],
        enumDescriptions: ['Use `flyctl` and its login.', 'Use FLY_API_KEY from .helix/helix.env.'],
      }),
      ...dbConfig(),
    },
    {
      required: ['vm_size', 'volume', 'volume_initial_size', 'auth_type'],
      examples: [
        { vm_size: 'shared-cpu-4x', volume: 'helix_app_prod_data:/data', volume_initial_size: 20, auth_type: 'Cli' },
      ],
    },
  );
  const ecr = table(
    'Push the image to AWS ECR (no compute deploy).',
    {
      repository_name: str('ECR repository name.', 'helix-myapp-staging'),
      region: str('AWS region.', 'us-west-2'),
      registry_url: str('Registry host.', '123456789.dkr.ecr.us-west-2.amazonaws.com'),
      auth_type: leaf('string', 'How the CLI authenticates to ECR. The value is case-sensitive.', {
        enum: ['AwsCli'],
        enumDescriptions: ['Use `aws ecr get-login-password`.'],
      }),
      build_mode: buildMode('release'),
      ...dbConfig(),
    },
    {
      required: ['repository_name', 'region', 'auth_type'],
      examples: [{ repository_name: 'helix-app', region: 'us-west-2', auth_type: 'AwsCli' }],
    },
  );
  return instances(
    `Cloud instances (CLI 2.x): \`[cloud.<name>.helix]\`, \`[cloud.<name>.fly]\` or \`[cloud.<name>.ecr]\`. ${NAME_NOTE}`,
    table(
      'One cloud instance: exactly one provider table.',
      { helix, fly, ecr },
      {
        additionalProperties: false,
        minProperties: 1,
        maxProperties: 1,
        examples: [{ helix: { cluster_id: 'YOUR_CLUSTER_ID' } }],
      },
    ),
    'production',
  );
}

const title = (gen: Generation | 'any') =>
  gen === 'any'
    ? 'helix.toml (HelixDB, any CLI generation)'
    : `helix.toml (HelixDB ${generationLabel(gen)}: ${GENERATION_TABLE[gen].versions})`;

const HELIX_TABLES = ['local', 'enterprise', 'cloud'];

export function helixSchema(gen: Generation | 'any'): Schema {
  const props: Record<string, Schema> = {
    project: project(gen),
    local: instances(
      `Local instances: \`[local.<name>]\` runs HelixDB in Docker on this machine. ${NAME_NOTE}`,
      local(gen),
      'dev',
    ),
    enterprise: instances(
      `Helix Cloud instances: \`[enterprise.<name>]\`. ${NAME_NOTE}`,
      enterprise(gen),
      'production',
    ),
  };
  if (gen === 'v2' || gen === 'any') props.cloud = cloudV2();
  return {
    $schema: DRAFT,
    title: title(gen),
    description: 'HelixDB project file. Generated by Helix Deploy from the helix CLI source.',
    type: 'object',
    properties: props,
    // The schema published for editors (`any`) requires [project] only once the file has a HelixDB table:
    // another tool's helix.toml (a Helix editor config) must get no diagnostic.
    ...(gen === 'any'
      ? { if: { anyOf: HELIX_TABLES.map((t) => ({ required: [t] })) }, then: { required: ['project'] } }
      : { required: ['project'] }),
    ...(strict(gen) ? { additionalProperties: false } : {}),
  };
}
