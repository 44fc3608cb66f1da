import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { readProject } from '../../../../src/core/config/project';
import { FIXTURES, fixture } from './helpers';

describe('config: readProject', () => {
  it('reads a v3.4 project with its deploy environments', () => {
    const file = path.join(FIXTURES, 'deploy/helix.toml');
    const p = readProject(file, fixture('deploy/helix.toml'), fixture('deploy/helix.deploy.toml'))!;
    assert.equal(p.name, 'example');
    assert.equal(p.generation, 'v3.4');
    assert.equal(p.errorCount, 0);
    assert.equal(p.dir, path.dirname(file));
    const envs = p.environments.map((e) => [e.name, e.kind, e.source, e.target ?? null, e.protected ?? null]);
    assert.deepEqual(envs, [
      ['dev', 'local', 'helix.toml', null, null],
      ['production', 'enterprise', 'helix.toml', 'tenant:tenant-id', null],
      ['staging', 'terraform', 'helix.deploy.toml', 'infra/staging', true],
      ['prod-k8s', 'kubernetes', 'helix.deploy.toml', 'prod/helix', false],
      ['hub', 'registry', 'helix.deploy.toml', '127.0.0.1:5000/acme/helixdb', false],
      ['pulumi-dev', 'pulumi', 'helix.deploy.toml', 'dev', false],
    ]);
    const dev = p.environments[0];
    assert.deepEqual([dev.port, dev.image, dev.tag], [6969, 'ghcr.io/helixdb/helixdb', 'v0.0.5']);
    assert.deepEqual(dev.range, { start: { line: 5, character: 1 }, end: { line: 5, character: 10 } });
    assert.deepEqual((p.environments[2].settings as any).terraform, {
      dir: 'infra/staging',
      vars: { image: '${image}' },
    });
  });
  it('reads v2 cloud environments', () => {
    const p = readProject('/w/helix.toml', fixture('v2/helix.toml'))!;
    assert.equal(p.generation, 'v2');
    assert.deepEqual(
      p.environments.map((e) => [e.name, e.kind, e.target ?? null]),
      [
        ['dev', 'local', null],
        ['helix-production', 'helix-cloud', '1f0ca9da-5f56-6a04-873b-010203040506'],
        ['production', 'fly', 'helix-add-n-production'],
        ['staging', 'ecr', '123456789.dkr.ecr.us-west-2.amazonaws.com/helix-add_n-staging'],
      ],
    );
    assert.deepEqual([p.environments[0].image, p.environments[0].tag], ['helix-add_n-dev', 'dev']);
  });
  it("is undefined for a helix.toml that is not HelixDB's", () => {
    assert.equal(readProject('/w/helix.toml', fixture('notHelix/helix.toml')), undefined);
  });
  it('counts errors, and a broken file still yields a project named after its folder', () => {
    assert.equal(readProject('/w/shop/helix.toml', fixture('broken/helix.toml'))!.errorCount, 2);
    const p = readProject('/w/shop/helix.toml', '[project]\nname = "x\n')!;
    assert.deepEqual([p.name, p.errorCount, p.environments.length], ['shop', 1, 0]);
    assert.equal(
      readProject('/w/helix.toml', fixture('v3-1025/helix.toml'), '[environments.a]\nbogus = 1\n')!.errorCount,
      2,
    );
  });
  it('the installed CLI decides the generation over the content; the setting decides what neither tells', () => {
    assert.equal(
      readProject('/w/helix.toml', fixture('v3.1/helix.toml'), undefined, {
        generation: 'v2',
        cliVersion: 'helix 3.4.4',
      })!.errorCount,
      3,
    );
    assert.equal(
      readProject('/w/helix.toml', fixture('v3.1/helix.toml'), undefined, { generation: 'v3.4' })!.errorCount,
      0,
      'cluster_id: the content says CLI 3.0-3.1',
    );
    assert.equal(
      readProject('/w/helix.toml', '[project]\nname = "a"\n[local.dev]\n', undefined, { generation: 'v3.0' })!
        .generation,
      'v3.0',
    );
  });

  it('local environments get the defaults of the CLI release in use', () => {
    const local = (o: { cliVersion?: string; generation?: any }) => {
      const e = readProject('/w/helix.toml', '[project]\nname = "a"\n[local.dev]\n', undefined, o)!.environments[0];
      return [e.port, `${e.image}:${e.tag}`];
    };
    assert.deepEqual(local({ cliVersion: 'helix 3.0.5' }), [8080, 'ghcr.io/helixdb/enterprise-dev:latest']);
    assert.deepEqual(local({ cliVersion: 'helix 3.0.8' }), [6969, 'ghcr.io/helixdb/enterprise-dev:latest']);
    assert.deepEqual(local({ cliVersion: 'helix 3.1.0' }), [6969, 'ghcr.io/helixdb/helixdb:v0.0.3']);
    assert.deepEqual(local({ cliVersion: 'helix 3.1.2' }), [6969, 'ghcr.io/helixdb/helixdb:v0.0.4']);
    assert.deepEqual(local({ cliVersion: 'helix 3.4.2' }), [6969, 'ghcr.io/helixdb/helixdb:v0.0.9']);
    assert.deepEqual(local({ cliVersion: 'helix 3.4.4' }), [6969, 'ghcr.io/helixdb/helixdb:v0.0.11']);
    assert.deepEqual(local({}), [6969, 'ghcr.io/helixdb/helixdb:v0.0.11'], 'no CLI: the newest known release');
    assert.deepEqual(
      local({ generation: 'v3.0' }),
      [6969, 'ghcr.io/helixdb/enterprise-dev:latest'],
      'CLI 3.0 without a version: its last release, 3.0.8',
    );
  });
});
