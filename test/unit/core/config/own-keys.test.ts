import { strict as assert } from 'node:assert';
import { applyEdits } from '../../../../src/core/config/edit';
import { moveOwnKeyEdits, OWN_KEY_CODE } from '../../../../src/core/config/own-keys';
import { readProject } from '../../../../src/core/config/project';
import { toPlain } from '../../../../src/core/config/tree';
import { parseConfig, validateConfig } from '../../../../src/core/config/validate';
import { OWN_KEYS, ownSetting } from '../../../../src/core/local/naming';
import { localTableKeys } from './helpers';
import { starterHelixToml } from '../../../../src/core/config/starter';

// Helix Deploy's own keys (build, health, sidecar_image) leave helix.toml: a warning that says why, and a fix that
// moves them into helix.deploy.toml keeping the comments and layout of both files.

const HELIX = `[project]
name = "local-demo"

# A local instance built from ./Dockerfile.
[local.dev]
port = 6969 # the host port
image = "local-demo"
# Read by Helix Deploy only: build context.
build = "."
tag = "dev"
storage = "disk"
sidecar_image = "mirror.example/seaweedfs:4.47"

# Probes of the dev server.
[local.dev.health]
liveness = "/healthz"   # always 200
readiness = "/readyz"

[local.other]
port = 7000
`;

const DEPLOY = `# Environments the helix CLI does not know.
[environments.staging]
instance = "dev" # provides the image
registry = "ghcr.io/acme/helixdb"
`;

/** Applies every move the editor offers, one at a time (as a user clicking each quick fix). */
function migrate(helix: string, deploy: string | undefined): { helix: string; deploy: string | undefined } {
  for (;;) {
    const d = validateConfig(helix, { generation: 'v3.4' }).diagnostics.find((x) => x.code === OWN_KEY_CODE);
    if (!d) return { helix, deploy };
    const f = d.fixes![0];
    const m = moveOwnKeyEdits(helix, deploy, f.move!.instance, f.move!.key);
    assert.ok(m, `a move for ${f.move!.key}`);
    helix = applyEdits(helix, m.helix);
    deploy = applyEdits(deploy ?? '', m.deploy);
  }
}

// What the helix CLI 3.4 keeps when it rewrites helix.toml (`save_to_file`: serde structs, `toml::to_string_pretty`).
const CLI_FIELDS = {
  project: ['name', 'id', 'workspace_id', 'queries', 'container_runtime'],
  local: ['port', 'image', 'tag', 'pull', 'storage', 's3'],
  s3: ['bucket', 'prefix', 'region', 'endpoint_url', 'allow_http'],
  enterprise: ['database', 'workspace_id', 'project_id'],
};

function pick(o: unknown, keys: string[]): Record<string, unknown> {
  const src = (o ?? {}) as Record<string, unknown>;
  return Object.fromEntries(keys.filter((k) => src[k] !== undefined).map((k) => [k, src[k]]));
}

/** The CLI's rewrite: parse into its field set, serialise back. Comments and unknown keys do not survive. */
function cliRewrite(text: string): string {
  const plain = toPlain(parseConfig(text).tree!) as Record<string, any>;
  const out: string[] = [];
  const table = (header: string, o: Record<string, unknown>) => {
    out.push(`[${header}]`);
    for (const [k, v] of Object.entries(o)) if (typeof v !== 'object') out.push(`${k} = ${JSON.stringify(v)}`);
    out.push('');
    for (const [k, v] of Object.entries(o))
      if (v && typeof v === 'object') table(`${header}.${k}`, v as Record<string, unknown>);
  };
  table('project', pick(plain.project, CLI_FIELDS.project));
  for (const [n, inst] of Object.entries<any>(plain.local ?? {})) {
    const kept = pick(inst, CLI_FIELDS.local);
    if (kept.s3) kept.s3 = pick(kept.s3, CLI_FIELDS.s3);
    table(`local.${n}`, kept);
  }
  for (const [n, inst] of Object.entries<any>(plain.enterprise ?? {}))
    table(`enterprise.${n}`, pick(inst, CLI_FIELDS.enterprise));
  return out.join('\n');
}

function ownOf(helix: string, deploy: string | undefined, env = 'dev') {
  const p = readProject('/w/helix.toml', helix, deploy, { generation: 'v3.4' })!;
  const e = p.environments.find((x) => x.name === env && x.kind === 'local')!;
  return {
    own: Object.fromEntries(OWN_KEYS.map((k) => [k, ownSetting(e, k)])),
    cli: pick(e.settings, CLI_FIELDS.local),
  };
}

describe('Helix Deploy keys in helix.toml', () => {
  it('warns on each of our keys, saying the helix CLI deletes them, instead of an unknown-key note', () => {
    const d = validateConfig(HELIX, { generation: 'v3.4' }).diagnostics;
    const ours = d.filter((x) => x.code === OWN_KEY_CODE);
    assert.deepEqual(
      ours.map((x) => HELIX.slice(x.start, x.end)),
      ['build', 'sidecar_image', 'health'],
    );
    assert.ok(ours.every((x) => x.severity === 'warning' && x.fixes?.[0].title === 'Move to helix.deploy.toml'));
    assert.match(
      ours[0].message,
      /the CLI deletes it, and every comment in helix\.toml, the next time it rewrites the file \(`helix add`, `helix delete`, `helix start --persist`, `helix project link`\)\. Move it to \[instances\.dev\] in helix\.deploy\.toml\./,
    );
    assert.deepEqual(
      d.filter((x) => x.code === 'unknown-key'),
      [],
    );
  });

  it('moves a key line with its comment into a new [instances.<n>] of an existing helix.deploy.toml', () => {
    const m = moveOwnKeyEdits(HELIX, DEPLOY, 'dev', 'build')!;
    assert.equal(m.create, false);
    assert.equal(
      applyEdits(HELIX, m.helix),
      HELIX.replace('# Read by Helix Deploy only: build context.\nbuild = "."\n', ''),
    );
    assert.equal(
      applyEdits(DEPLOY, m.deploy),
      DEPLOY + '\n[instances.dev]\n# Read by Helix Deploy only: build context.\nbuild = "."\n',
    );
  });

  it('moves a [local.<n>.<key>] section, comments included, and drops the blank line it leaves twice', () => {
    const m = moveOwnKeyEdits(HELIX, undefined, 'dev', 'health')!;
    assert.equal(m.create, true);
    assert.equal(
      applyEdits(HELIX, m.helix),
      HELIX.replace(
        '\n# Probes of the dev server.\n[local.dev.health]\nliveness = "/healthz"   # always 200\nreadiness = "/readyz"\n',
        '',
      ),
    );
    assert.equal(
      applyEdits('', m.deploy),
      '# Helix Deploy settings; the helix CLI does not read this file.\n\n# Probes of the dev server.\n[instances.dev.health]\nliveness = "/healthz"   # always 200\nreadiness = "/readyz"\n',
    );
  });

  it('adds to an existing [instances.<n>] after its last key, keeping CRLF line ends', () => {
    const helix = '[project]\r\nname = "x"\r\n\r\n[local.dev]\r\nport = 1\r\nsidecar_image = "m/s:1" # mirror\r\n';
    const deploy =
      '[instances.dev]\r\nbuild = "." # context\r\n\r\n# staging\r\n[environments.s]\r\nregistry = "r.example/x"\r\n';
    const m = moveOwnKeyEdits(helix, deploy, 'dev', 'sidecar_image')!;
    assert.equal(applyEdits(helix, m.helix), '[project]\r\nname = "x"\r\n\r\n[local.dev]\r\nport = 1\r\n');
    assert.equal(
      applyEdits(deploy, m.deploy),
      '[instances.dev]\r\nbuild = "." # context\r\nsidecar_image = "m/s:1" # mirror\r\n\r\n# staging\r\n[environments.s]\r\nregistry = "r.example/x"\r\n',
    );
  });

  it('moves dotted keys and inline tables as written; refuses what has no single place or is already set', () => {
    const helix =
      '[project]\nname = "x"\n[local.dev]\nhealth.liveness = "/live"\nbuild = { context = "app", args = { A = "1" } }\n';
    const after = migrate(helix, undefined);
    assert.equal(after.helix, '[project]\nname = "x"\n[local.dev]\n');
    assert.equal(
      after.deploy,
      '# Helix Deploy settings; the helix CLI does not read this file.\n\n[instances.dev]\nhealth.liveness = "/live"\nbuild = { context = "app", args = { A = "1" } }\n',
    );
    assert.equal(
      moveOwnKeyEdits('[project]\nname = "x"\n[local]\ndev = { build = "." }\n', undefined, 'dev', 'build'),
      undefined,
    );
    assert.equal(moveOwnKeyEdits(HELIX, '[instances.dev]\nbuild = "app"\n', 'dev', 'build'), undefined);
    assert.equal(
      moveOwnKeyEdits(HELIX, '[instances.dev\n', 'dev', 'build'),
      undefined,
      'a helix.deploy.toml that does not parse is not edited',
    );
  });

  it('after the move both files validate clean and the local loop reads the same settings from helix.deploy.toml', () => {
    const before = ownOf(HELIX, DEPLOY);
    assert.deepEqual(before.own, {
      build: '.',
      health: { liveness: '/healthz', readiness: '/readyz' },
      sidecar_image: 'mirror.example/seaweedfs:4.47',
    });
    const after = migrate(HELIX, DEPLOY);
    assert.deepEqual(validateConfig(after.helix, { generation: 'v3.4' }).diagnostics, []);
    assert.deepEqual(validateConfig(after.deploy!, { kind: 'deploy', helixText: after.helix }).diagnostics, []);
    assert.deepEqual(ownOf(after.helix, after.deploy), before);
    // Nothing else moved: the other instance and every CLI key stayed where they were.
    assert.match(
      after.helix,
      /# A local instance built from \.\/Dockerfile\.\n\[local\.dev\]\nport = 6969 # the host port\nimage = "local-demo"\ntag = "dev"\nstorage = "disk"\n\n\[local\.other\]\nport = 7000\n$/,
    );
  });

  it('a rewrite by the helix CLI deletes our keys before the move, and loses nothing after it', () => {
    const before = ownOf(HELIX, DEPLOY);
    const lost = ownOf(cliRewrite(HELIX), DEPLOY);
    assert.deepEqual(
      lost.own,
      { build: undefined, health: undefined, sidecar_image: undefined },
      'without the move the CLI deletes them',
    );
    assert.deepEqual(lost.cli, before.cli);
    const after = migrate(HELIX, DEPLOY);
    const rewritten = ownOf(cliRewrite(after.helix), after.deploy);
    assert.deepEqual(rewritten, before);
  });

  it('nothing we write into helix.toml is a key the CLI deletes: not the schemas behind completion and fixes, not the starter', () => {
    for (const gen of ['v2', 'v3.1', 'v3.4', 'any'] as const) {
      const local = localTableKeys(gen);
      for (const k of OWN_KEYS) assert.ok(!(k in local), `${k} in the ${gen} schema of [local.<n>]`);
    }
    const starter = starterHelixToml('demo');
    assert.equal(cliRewrite(starter), cliRewrite(cliRewrite(starter)), 'the starter has only keys the CLI keeps');
    assert.deepEqual(ownOf(cliRewrite(starter), undefined).cli, ownOf(starter, undefined).cli);
  });

  it('helix.deploy.toml knows [instances.<n>]: schema keys, and the instance must exist in helix.toml', () => {
    const deploy =
      '[instances.dev]\nbuild = "."\nsidecar_image = "m/s:1"\nhealth = { liveness = "/l" }\n[instances.nope]\nbild = "."\n';
    const d = validateConfig(deploy, { kind: 'deploy', helixText: HELIX }).diagnostics;
    assert.deepEqual(
      d.map((x) => [x.code, deploy.slice(x.start, x.end)]),
      [
        ['unknown-instance', 'nope'],
        ['unknown-key', 'bild'],
      ],
    );
  });
});
