import { strict as assert } from 'node:assert';
import { check, fix, fixture } from './helpers';
import { environmentNameProblem } from '../../../../src/core/config/rules-deploy';
import { imageReferenceProblem } from '../../../../src/core/push/reference';
import { resolveTarget } from '../../../../src/core/engine/target';

const D = {
  kind: 'deploy' as const,
  file: 'helix.deploy.toml',
  helixText: '[project]\nname = "a"\n[local.dev]\n[local.prod]\n',
};

describe('config: helix.deploy.toml diagnostics', () => {
  it('the product sketch is clean', () => {
    assert.deepEqual(
      check(fixture('deploy/helix.deploy.toml'), { ...D, helixText: fixture('deploy/helix.toml') }).map(
        (s) => s.message,
      ),
      [],
    );
  });
  it('unknown keys are errors (our file), with did-you-mean', () => {
    const t = '[environments.s]\nregistry = "r/x"\nprotectd = true\n';
    const [s] = check(t, D);
    assert.equal(s.code, 'unknown-key');
    assert.equal(s.severity, 'error');
    assert.match(s.message, /did you mean `protected`/);
    assert.equal(fix(t, 'unknown-key', D), t.replace('protectd', 'protected'));
  });
  it('an environment needs a target, and one deploy tool only', () => {
    const s = check(
      '[environments.a]\ninstance = "dev"\n[environments.b]\nterraform = { dir = "x" }\npulumi = { dir = "y", stack = "s" }\n',
      D,
    );
    assert.deepEqual(
      s.map((x) => [x.code, x.text]),
      [
        ['no-target', 'environments.a'],
        ['two-tools', 'pulumi'],
      ],
    );
  });
  it('instance must exist in the sibling helix.toml', () => {
    const t = '[environments.a]\ninstance = "prd"\nregistry = "r/x"\n';
    const [s] = check(t, D);
    assert.equal(s.message, "instance 'prd' not found in helix.toml; did you mean 'prod'?");
    assert.equal(fix(t, 'unknown-instance', D), t.replace('"prd"', '"prod"'));
  });
  it('no credentials and no scheme in registry', () => {
    assert.equal(check('[environments.a]\nregistry = "https://user:pw@ghcr.io/a"\n', D)[0].code, 'credentials');
    const t = '[environments.a]\nregistry = "https://ghcr.io/a/b"\n';
    assert.equal(check(t, D)[0].code, 'registry-scheme');
    assert.equal(fix(t, 'registry-scheme', D), '[environments.a]\nregistry = "ghcr.io/a/b"\n');
  });
  it('required keys of a tool table and duration format', () => {
    const s = check('[environments.a]\nkubernetes = { context = "c" }\nhealth = { timeout = "5 sec" }\n', D);
    assert.deepEqual(
      s.map((x) => x.code),
      ['missing-key', 'pattern'],
    );
    assert.equal(s[0].text, '{ context = "c" }');
  });

  it('environment names: one check refuses path escapes, separators, control characters and shell code', () => {
    for (const bad of ['../../x', 'a/b', 'a\\b', '$(touch pwned)', 'x\u001b[31m', '', 'a'.repeat(129)]) {
      assert.match(environmentNameProblem(bad) ?? '', /must contain only ASCII letters/, JSON.stringify(bad));
      const s = check(`[environments.${JSON.stringify(bad)}]\nregistry = "r/x"\n`, D);
      assert.ok(
        s.some((x) => x.code === 'environment-name'),
        JSON.stringify(bad),
      );
    }
    for (const ok of ['staging', 'prod-eu_1']) assert.equal(environmentNameProblem(ok), undefined);
    assert.throws(
      () =>
        resolveTarget({
          project: { name: 'p', dir: '/p' },
          environment: {
            name: '../x',
            kind: 'terraform',
            source: 'helix.deploy.toml',
            settings: { terraform: { dir: 'infra' } },
          } as never,
        }),
      /environment name/,
    );
  });
  it('what feeds ${image} must be an OCI reference; ${...} values are checked when resolved', () => {
    const s = check(
      '[environments.a]\nregistry = "ghcr.io/a/b;rm"\nimage = "x$(id)"\ntag = "v1 2"\nterraform = { dir = "i", vars = { image = "a b" } }\n',
      D,
    );
    assert.deepEqual(
      s.filter((x) => x.code === 'image-reference').map((x) => x.text),
      ['"ghcr.io/a/b;rm"', '"x$(id)"', '"v1 2"', '"a b"'],
    );
    assert.deepEqual(
      check(
        '[environments.a]\nregistry = "127.0.0.1:5000/acme/helix-db"\ntag = "v1.2.0"\nterraform = { dir = "i", vars = { image = "${image}" } }\n',
        D,
      ),
      [],
    );
    for (const ok of [
      'ghcr.io/acme/helixdb:dev',
      'localhost:5000/a/b@sha256:' + 'a'.repeat(64),
      'helix',
      '[::1]:5000/x:1',
    ])
      assert.equal(imageReferenceProblem(ok), undefined, ok);
    for (const bad of ['Helix', 'x;y', 'a:b:c', '$(touch p)', 'a/b:', 'x\n'])
      assert.ok(imageReferenceProblem(bad), bad);
    const h = check('[project]\nname = "a"\n[local.dev]\nport = 6969\nimage = "local-demo`id`"\ntag = "dev"\n', {
      file: 'helix.toml',
    });
    assert.deepEqual(
      h.filter((x) => x.code === 'image-reference').map((x) => x.text),
      ['"local-demo`id`"'],
    );
  });
  it('a deploy folder outside the project is a warning naming the resolved folder', () => {
    const t =
      '[environments.a]\nterraform = { dir = "../shared/infra" }\n[environments.b]\npulumi = "/abs/p"\n[environments.c]\nterraform = { dir = "infra/../infra" }\n';
    const s = check(t, { ...D, dir: '/work/proj' }).filter((x) => x.code === 'dir-outside-project');
    assert.deepEqual(
      s.map((x) => [x.severity, /\((.*)\)/.exec(x.message)![1]]),
      [
        ['warning', '/work/shared/infra'],
        ['warning', '/abs/p'],
      ],
    );
  });
});
