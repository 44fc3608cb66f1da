import { strict as assert } from 'node:assert';
import { check, fix, fixture } from './helpers';

const D = { kind: 'deploy' as const, file: 'helix.deploy.toml', helixText: '[project]\nname = "a"\n[local.dev]\n[local.prod]\n' };

describe('config: helix.deploy.toml diagnostics', () => {
  it('the product sketch is clean', () => {
    assert.deepEqual(check(fixture('deploy/helix.deploy.toml'), { ...D, helixText: fixture('deploy/helix.toml') }).map((s) => s.message), []);
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
    const s = check('[environments.a]\ninstance = "dev"\n[environments.b]\nterraform = { dir = "x" }\npulumi = { dir = "y", stack = "s" }\n', D);
    assert.deepEqual(s.map((x) => [x.code, x.text]), [['no-target', 'environments.a'], ['two-tools', 'pulumi']]);
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
    assert.deepEqual(s.map((x) => x.code), ['missing-key', 'pattern']);
    assert.equal(s[0].text, '{ context = "c" }');
  });
});
