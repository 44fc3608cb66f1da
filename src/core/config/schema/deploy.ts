import { instances, leaf, table, type Schema } from './build';
import { SIDECAR_IMAGES } from '../../local/storage';

// helix.deploy.toml: environments the helix CLI does not know (Terraform, Pulumi, Kubernetes, Fly). Ours, so unknown keys are errors.
// `${image}` and `${outputs.<name>}` placeholders are expanded by the engine at run time.

export function deploySchema(): Schema {
  const str = (d: string, ex: string, def?: string) => leaf('string', d, { examples: [ex], default: def });
  const vars = (d: string) =>
    leaf('object', d, { additionalProperties: { type: 'string' }, default: {}, examples: [{ image: '${image}' }] });
  const terraform = table(
    'Deploy with Terraform: plan, review the diff, approve, apply.',
    {
      dir: str('Terraform root module, relative to this file.', 'infra/staging'),
      vars: vars('Input variables passed as `-var name=value`. `${image}` is the pushed image reference.'),
      var_files: leaf('array', 'Variable files passed as `-var-file`, relative to `dir`.', {
        items: { type: 'string' },
        default: [],
        examples: [['staging.tfvars']],
      }),
      workspace: str('Terraform workspace to select before planning.', 'staging', 'default'),
    },
    { required: ['dir'], additionalProperties: false, examples: [{ dir: 'infra/staging' }] },
  );
  // `terraform = "infra/staging"` is short for `{ dir = "infra/staging" }`.
  terraform.type = ['object', 'string'];
  terraform.description += ' A string is short for { dir = "..." }.';
  const pulumi = table(
    'Deploy with Pulumi: preview, review the diff, approve, update.',
    {
      dir: str('Pulumi project folder, relative to this file.', 'infra/pulumi'),
      stack: str('Stack name.', 'acme/staging'),
      config: vars('Stack config values set before the preview. `${image}` is the pushed image reference.'),
    },
    { required: ['dir', 'stack'], additionalProperties: false, examples: [{ dir: 'infra/pulumi', stack: 'staging' }] },
  );
  const kubernetes = table(
    'Deploy to Kubernetes: diff the manifests, approve, apply, watch the rollout.',
    {
      context: str('kubeconfig context.', 'prod'),
      namespace: str('Namespace.', 'helix', 'default'),
      manifests: str('Folder or file of manifests, relative to this file.', 'deploy/k8s'),
      deployment: str('Deployment whose rollout is watched.', 'helixdb'),
      image: str(
        "Image rolled out (replaces `${image}` in the manifests). Default: the environment's image.",
        'ghcr.io/acme/helixdb:1.2',
      ),
      kubeconfig: str(
        'kubeconfig file, relative to this file. Default: KUBECONFIG, then ~/.kube/config (as kubectl).',
        'deploy/kubeconfig',
      ),
    },
    {
      required: ['manifests'],
      additionalProperties: false,
      examples: [{ context: 'prod', namespace: 'helix', manifests: 'deploy/k8s' }],
    },
  );
  const health = table(
    'Health checks run after every apply and rollback: until both pass or the deadline. A failing check ends the run Unhealthy (applied, but not healthy), with a one-click rollback.',
    {
      liveness: str('URL that answers 200 while the process lives.', '${outputs.url}/healthz'),
      readiness: str('URL that answers 200 when ready to serve.', '${outputs.url}/readyz'),
      timeout: leaf('string', 'Timeout of one check request, as a duration.', {
        pattern: '^[0-9]+(ms|s|m)$',
        default: '5s',
        examples: ['5s', '500ms'],
      }),
      deadline: leaf(
        'string',
        'How long a fresh deployment gets to pass both checks (retried until then) before the run ends Unhealthy, as a duration.',
        { pattern: '^[0-9]+(ms|s|m)$', default: '60s', examples: ['60s', '2m'] },
      ),
    },
    { additionalProperties: false, examples: [{ liveness: 'http://localhost:6969/healthz' }] },
  );
  const environment = table(
    'One deployment environment. Give it one of `terraform`, `pulumi` or `kubernetes`, and/or a `registry` to push to. Use ASCII letters, digits, `-` and `_` in the name.',
    {
      instance: str('The helix.toml `[local.<name>]` instance that provides the image and settings.', 'dev'),
      registry: str(
        'Image repository to push to (no scheme). Credentials never go in this file: use `docker login` or the Helix Deploy sign-in.',
        'ghcr.io/acme/helixdb',
      ),
      image: str('Image to deploy when it does not come from `instance`/`registry`.', 'ghcr.io/acme/helixdb'),
      tag: str("Image tag pushed and deployed. Default: the instance's tag.", 'v1.2.0'),
      terraform,
      pulumi,
      kubernetes,
      health,
      protected: leaf('boolean', 'Require typing the environment name before apply or destroy.', { default: false }),
      budget_monthly: leaf(
        'number',
        'Monthly budget of this environment, in US dollars. A plan whose cost estimate is over it gets a warning above the approval bar and in `helix-deploy plan` (it does not block the apply).',
        { minimum: 0, examples: [200] },
      ),
      allow_destroy: leaf(
        'array',
        'Addresses (globs) whose destroy or replace of data - databases, volumes, buckets, PVCs, StatefulSets - a `protected` environment allows. Without them such a plan is blocked.',
        { items: { type: 'string' }, default: [], examples: [['aws_db_instance.legacy']] },
      ),
      auto_rollback: leaf(
        'boolean',
        "When an apply ends Unhealthy (its `health` check failed), plan a rollback to the previous healthy deployment at once and apply it (health-checked too). A `protected` environment's rollback still waits for approval.",
        { default: false },
      ),
    },
    { additionalProperties: false, examples: [{ instance: 'dev', registry: 'ghcr.io/acme/helixdb', protected: true }] },
  );
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'helix.deploy.toml (Helix Deploy environments)',
    description: 'Deployment environments beside a helix.toml: Terraform, Pulumi, Kubernetes or an OCI registry.',
    type: 'object',
    properties: {
      environments: instances('Environments, `[environments.<name>]`.', environment, 'staging'),
      cost: costTable(),
      guardrails: guardrails(),
      instances: instances(
        "Helix Deploy settings of helix.toml's local instances, `[instances.<name>]` for `[local.<name>]`. They live here because the helix CLI deletes keys it does not know from helix.toml whenever it rewrites it.",
        localInstance(),
        'dev',
      ),
    },
    additionalProperties: false,
  };
}

/** `[cost.kubernetes]`: rates that turn a Kubernetes plan's resource requests into a monthly estimate. */
function costTable(): Schema {
  const rate = (d: string, ex: number) =>
    leaf('number', `${d} In US dollars; without it, what it prices is "not estimated".`, {
      minimum: 0,
      examples: [ex],
    });
  const kubernetes = table(
    "Kubernetes rates: each workload costs replicas × its containers' requests × these rates (requests are what the scheduler reserves).",
    {
      cpu_core_hour: rate('Price of one requested CPU core per hour.', 0.0316),
      memory_gib_hour: rate('Price of one requested GiB of memory per hour.', 0.0042),
      storage_gib_month: rate('Price of one requested GiB of PersistentVolumeClaim storage per month.', 0.1),
    },
    {
      additionalProperties: false,
      examples: [{ cpu_core_hour: 0.0316, memory_gib_hour: 0.0042, storage_gib_month: 0.1 }],
    },
  );
  return table(
    'Cost estimates of plans. Terraform plans are priced by Infracost when installed and by the shipped Fly.io price table; Kubernetes plans by the rates below.',
    { kubernetes },
    { additionalProperties: false, examples: [{ kubernetes: { cpu_core_hour: 0.0316 } }] },
  );
}

/** `[guardrails]`: checks run on every plan before it can be approved. */
function guardrails(): Schema {
  const actions = ['create', 'update', 'delete', 'replace', 'import', 'move', 'forget'];
  const rule = table(
    'A rule checked on every plan: resources matching all given conditions get a finding.',
    {
      effect: leaf(
        'string',
        'What a match does: `deny` blocks approval (and makes `helix-deploy plan` exit 5); `warn` is shown above the approval bar.',
        {
          enum: ['deny', 'warn'],
          enumDescriptions: ['Block approval and apply.', 'Show a warning; approval stays possible.'],
        },
      ),
      type: leaf(
        'string',
        'Glob on the resource type: `aws_db_*`, `aws:rds/instance:Instance`, a Kubernetes kind such as `StatefulSet`.',
        { default: '*', examples: ['aws_db_*'] },
      ),
      address: leaf('string', 'Glob on the resource address.', { default: '*', examples: ['module.db.*'] }),
      actions: leaf('array', 'Actions that match. Default: create, update, delete, replace.', {
        items: leaf('string', 'A plan action.', {
          enum: actions,
          enumDescriptions: [
            'Created.',
            'Updated in place.',
            'Destroyed.',
            'Destroyed and created again.',
            'Imported.',
            'Moved to a new address.',
            'Removed from the state, kept.',
          ],
        }),
        examples: [['delete', 'replace']],
      }),
      environments: leaf('array', 'Globs on the environment name. Default: every environment.', {
        items: { type: 'string' },
        examples: [['prod*']],
      }),
      message: leaf('string', 'Shown with the finding: why the rule exists, what to do.', {
        default: '',
        examples: ['Databases are changed by the DBA team'],
      }),
    },
    {
      required: ['effect'],
      additionalProperties: false,
      examples: [{ effect: 'deny', type: 'aws_db_*', actions: ['delete', 'replace'], environments: ['prod*'] }],
    },
  );
  return table(
    "Checks run on every plan before Approve is enabled (built-in rules always run): your own rules and the team's conftest policies.",
    {
      rules: leaf('array', 'Rules by resource type, address, action and environment, `[[guardrails.rules]]`.', {
        items: rule,
        default: [],
        examples: [[{ effect: 'warn', type: 'aws_s3_bucket', actions: ['delete'] }]],
      }),
      policy: table(
        "The team's own policies.",
        {
          conftest: leaf(
            'string',
            'Folder of Rego policies run with `conftest test --output json` on the plan (the redacted plan model plus `environment`). A missing conftest or a policy error blocks approval. Empty: none.',
            { default: '', examples: ['policy/'] },
          ),
        },
        { additionalProperties: false, examples: [{ conftest: 'policy/' }] },
      ),
    },
    { additionalProperties: false, examples: [{ policy: { conftest: 'policy/' } }] },
  );
}

/** `[instances.<name>]`: how Helix Deploy builds, checks and stores the local instance `[local.<name>]`. */
function localInstance(): Schema {
  return table(
    'Helix Deploy settings of the helix.toml instance `[local.<name>]` with the same name.',
    {
      build: {
        type: ['string', 'object'],
        description:
          "Build the image from a Dockerfile: a context folder (relative to helix.toml), or a table { context, dockerfile, args }. Without it Helix Deploy builds from the project folder's Dockerfile when there is one.",
        properties: {
          context: leaf('string', 'Build context folder, relative to helix.toml.', { default: '.' }),
          dockerfile: leaf('string', 'Dockerfile path inside the context.', { default: 'Dockerfile' }),
          args: leaf('object', 'Build arguments (`--build-arg`).', {
            additionalProperties: { type: 'string' },
            default: {},
            examples: [{ FEATURES: 'dev' }],
          }),
        },
        additionalProperties: false,
        examples: ['.', { context: '.', dockerfile: 'Dockerfile' }],
      },
      health: table(
        'Health check paths polled after start (default /healthz and /readyz on v3).',
        {
          liveness: leaf('string', 'Path that answers 200 while the process lives.', { default: '/healthz' }),
          readiness: leaf('string', 'Path that answers 200 when ready to serve.', { default: '/readyz' }),
        },
        { additionalProperties: false, examples: [{ liveness: '/healthz', readiness: '/readyz' }] },
      ),
      sidecar_image: leaf(
        'string',
        `Image of the S3 sidecar that \`storage = "disk"\` runs, instead of the one the helix CLI pulls (\`${SIDECAR_IMAGES.seaweedfs}\` from CLI 3.4, MinIO before): a mirror for offline machines.`,
        {
          default: SIDECAR_IMAGES.seaweedfs,
          examples: ['registry.example.com/mirror/seaweedfs:4.47'],
        },
      ),
    },
    { additionalProperties: false, examples: [{ build: '.' }] },
  );
}
