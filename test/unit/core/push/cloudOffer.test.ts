import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readProject } from '../../../../src/core/config/project';
import { cloudOffer, managedByControlPlane } from '../../../../src/core/push/cloudOffer';

// What Helix Cloud / enterprise environments offer, per generation, and that the tree's menus follow it.
const P = '[project]\nname = "demo"\n\n[local.dev]\n\n';
const CLOUD = { cloudUrl: 'https://cloud.helix-db.com/' };
const envOf = (text: string, o: { cliVersion?: string } = {}) => {
  const p = readProject('/w/demo/helix.toml', text, undefined, o)!;
  return { p, e: p.environments.find((x) => x.kind !== 'local')! };
};

describe('cloud environments per generation', () => {
  it("[enterprise.<n>] database = ... (after #1025, 3.4): no deploy; the control plane, docs and the CLI's words", () => {
    for (const cliVersion of [undefined, 'helix 3.4.4', 'helix 3.2.0']) {
      const { p, e } = envOf(P + '[enterprise.prod]\ndatabase = "tenant:t1"\n', { cliVersion });
      assert.ok(managedByControlPlane(p, e), String(cliVersion));
      const o = cloudOffer(p, e, CLOUD);
      assert.equal(o?.kind, 'control-plane');
      if (o?.kind !== 'control-plane') return;
      assert.equal(o.controlPlaneUrl, 'https://cloud.helix-db.com');
      assert.equal(o.docsUrl, 'https://docs.helix-db.com');
      assert.match(
        o.message,
        /^"prod" is a Helix Cloud database \(tenant:t1\)\. The helix CLI \(CLI 3\.(4|x after #1025)\) has no deploy for it: "Cloud database lifecycle is managed through the Helix control plane"/,
      );
      assert.equal(o.healthUrl, undefined, 'helix.toml links the database by id only');
    }
  });

  it('health is offered once a URL of the instance is known', () => {
    const { p, e } = envOf(P + '[enterprise.prod]\ndatabase = "cluster:c1"\n');
    const o = cloudOffer(p, e, { ...CLOUD, knownUrl: 'https://prod.example.com' });
    assert.deepEqual(o?.kind === 'control-plane' && o.healthUrl, 'https://prod.example.com');
  });

  it('v2 [cloud.<n>.helix] and CLI 3.0/3.1 cluster_id keep their deploy', () => {
    const v2 = envOf(P + '[cloud.prod.helix]\ncluster_id = "c"\n');
    assert.deepEqual(cloudOffer(v2.p, v2.e, CLOUD), { kind: 'deploy', via: 'helix-cloud' });
    for (const cliVersion of ['helix 3.0.8', 'helix 3.1.2', undefined]) {
      const v31 = envOf(P + '[enterprise.prod]\ncluster_id = "c"\n', { cliVersion });
      assert.deepEqual(
        cloudOffer(v31.p, v31.e, CLOUD),
        { kind: 'deploy', via: 'enterprise-cluster' },
        String(cliVersion),
      );
    }
    const local = readProject('/w/demo/helix.toml', P)!;
    assert.equal(cloudOffer(local, local.environments[0], CLOUD), undefined);
  });

  it('the Environments tree offers Deploy only where it exists, the control plane and health where it does not', () => {
    const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../../package.json'), 'utf8'));
    const menus: { command: string; when: string }[] = pkg.contributes.menus['view/item/context'];
    const offered = (contextValue: string) =>
      menus
        // The deployment panel opens on every environment; the rest depends on what the environment offers.
        .filter((m) => m.when.includes('view == helixDeploy.environments') && m.command !== 'helixDeploy.panel.open')
        .filter((m) => {
          const re = /viewItem =~ \/(.*)\/$/.exec(m.when)?.[1];
          return re !== undefined && new RegExp(re).test(contextValue);
        })
        .map((m) => m.command)
        .sort();
    assert.deepEqual(offered('environment:enterprise-database'), ['helixDeploy.cloud.openControlPlane']);
    assert.deepEqual(offered('environment:enterprise-database:url'), [
      'helixDeploy.cloud.checkHealth',
      'helixDeploy.cloud.openControlPlane',
    ]);
    assert.deepEqual(offered('environment:enterprise'), ['helixDeploy.push.deployHelixCloud']);
    assert.deepEqual(offered('environment:enterprise:protected'), ['helixDeploy.push.deployHelixCloud']);
    assert.deepEqual(offered('environment:helix-cloud'), ['helixDeploy.push.deployHelixCloud']);
    const commands = pkg.contributes.commands.map((c: { command: string }) => c.command);
    assert.ok(
      commands.includes('helixDeploy.cloud.openControlPlane') && commands.includes('helixDeploy.cloud.checkHealth'),
    );
  });
});
