import * as assert from 'node:assert/strict';
import { deployTargetFor, resolveTarget, DeployTargetError } from '../../../../src/core/engine/target';
import { substitute, SubstitutionError } from '../../../../src/core/engine/vars';
import { Redactor } from '../../../../src/core/process/redact';
import { renderPlan } from '../../../../src/core/plan/render';
import { parsePlanDocument } from '../../../../src/core/plan/parse';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Project } from '../../../../src/core/model/types';

const project: Project = {
  name: 'demo',
  dir: '/w/demo',
  configFile: '/w/demo/helix.toml',
  generation: 'v3.4',
  containerRuntime: 'docker',
  errorCount: 0,
  environments: [
    { name: 'dev', kind: 'local', source: 'helix.toml', image: 'ghcr.io/helixdb/helixdb', tag: 'v0.0.4', settings: {} },
    {
      name: 'staging',
      kind: 'terraform',
      source: 'helix.deploy.toml',
      settings: {
        instance: 'dev',
        registry: 'ghcr.io/acme/helixdb',
        terraform: {
          dir: 'infra/staging',
          vars: { image: '${image}', env: '${environment}', n: 3, list: ['${project}'] },
          workspace: 'stg',
        },
      },
    },
    {
      name: 'pl',
      kind: 'pulumi',
      source: 'helix.deploy.toml',
      settings: { instance: 'dev', pulumi: { dir: 'infra', stack: 'dev', config: { 'app:image': '${image}' } } },
    },
  ],
};

describe('deploy targets and ${...} substitution', () => {
  it('fills ${image} from the registry and the instance tag, keeps non-strings, resolves dir and workspace', () => {
    const r = resolveTarget(deployTargetFor(project, 'staging'));
    assert.equal(r.tool, 'terraform');
    assert.equal(r.dir, '/w/demo/infra/staging');
    assert.equal(r.workspace, 'stg');
    assert.deepEqual(r.vars, { image: 'ghcr.io/acme/helixdb:v0.0.4', env: 'staging', n: 3, list: ['demo'] });
  });

  it('without a registry, ${image} is the instance image; pulumi uses stack and config', () => {
    const r = resolveTarget(deployTargetFor(project, 'pl'));
    assert.equal(r.tool, 'pulumi');
    assert.equal(r.workspace, 'dev');
    assert.deepEqual(r.vars, { 'app:image': 'ghcr.io/helixdb/helixdb:v0.0.4' });
  });

  it('unknown names and missing environment variables are clear errors; ${env:X} values are secrets', () => {
    assert.throws(
      () => substitute({ a: '${nope}' }, { image: 'x' }, 'vars'),
      (e: unknown) =>
        e instanceof SubstitutionError && /vars\.a: \$\{nope\} has no value here \(known: \$\{image\}/.test(e.message),
    );
    delete process.env.HELIX_UNSET_FOR_TEST;
    assert.throws(() => substitute('${env:HELIX_UNSET_FOR_TEST}', {}), /HELIX_UNSET_FOR_TEST is not set/);
    process.env.HELIX_SET_FOR_TEST = 's3cret-value';
    const seen: string[] = [];
    assert.equal(
      substitute('p=${env:HELIX_SET_FOR_TEST}', {}, 'v', (v) => seen.push(v)),
      'p=s3cret-value',
    );
    assert.deepEqual(seen, ['s3cret-value']);
    assert.throws(
      () => deployTargetFor(project, 'dev'),
      (e: unknown) => e instanceof DeployTargetError && /available: staging, pl/.test(e.message),
    );
  });
});

describe('redactor', () => {
  it('masks secrets in text, their JSON-escaped forms, longest first; whole-value check for short ones', () => {
    const r = new Redactor().add('abc', 'pa"ss\\word', 'secret', 'secret-longer');
    assert.equal(r.redact('x secret-longer y secret'), 'x (sensitive) y (sensitive)');
    assert.equal(r.redact(JSON.stringify({ p: 'pa"ss\\word' })), '{"p":"(sensitive)"}');
    assert.equal(r.redact('abc abcdef'), 'abc abcdef', 'too short to mask inside text');
    assert.ok(r.isSecret('abc'));
  });
});

describe('text rendering', () => {
  it('renders the summary line and forced-replacement hints', () => {
    const m = parsePlanDocument(
      fs.readFileSync(path.resolve(__dirname, '../../../fixtures/plan/shared/generated/tf-local-1.json')),
    );
    const text = renderPlan(m, { attributes: true });
    assert.match(text, /-\/\+ replace terraform_data\.replace_me \(forced by triggers_replace\)/);
    assert.match(text, /# forces replacement/);
    assert.match(text, /Plan: 1 to create, 1 to update, 1 to replace, 1 to delete, 2 output changes\./);
    assert.ok(!text.includes('hunter2'));
  });
});
