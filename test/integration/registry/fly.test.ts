import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Docker from 'dockerode';
import { CloudAuthError, type DeployContext } from '../../../src/core/push/cloud';
import type { Environment, Project } from '../../../src/core/model/types';
import { pushImage } from '../../../src/core/push/pushImage';
import { formatReference, parseReference } from '../../../src/core/push/reference';
import { FlyRegistryCredentials } from '../../../src/providers/fly/credentials';
import { FlyDeployer } from '../../../src/providers/fly/deployer';
import { findFlyctl } from '../../../src/providers/fly/flyctl';
import { EnginePusher } from '../../../src/providers/registry/enginePusher';
import { startFlyServer, type FlyStandIn } from '../../support/flyServer';
import {
  buildTestImage,
  removeTestImage,
  registryDigest,
  startRegistry,
  testDockerSocket,
  type TestRegistry,
} from '../../support/registry';

// Fly.io cannot be reached from here: its registry is a real registry on 127.0.0.1 that (like
// registry.fly.io) takes the API token as password, and the Machines API is our stand-in.

const TOKEN = 'fly-token-canary-5521';

describe('Fly.io deploy: registry push + Machines API (stand-ins)', function () {
  this.timeout(120_000);
  const docker = new Docker({ socketPath: testDockerSocket() });
  const image = `hd-fly-src-${process.pid}:1`;
  let reg: TestRegistry;
  let fly: FlyStandIn;
  const env: Environment = {
    name: 'production',
    kind: 'fly',
    source: 'helix.toml',
    settings: {
      vm_size: 'shared-cpu-4x',
      volume: 'helix_demo_production_data:/data',
      volume_initial_size: 20,
      region: 'ams',
      auth_type: 'ApiKey',
    },
  };
  const project: Project = {
    name: 'demo',
    dir: os.tmpdir(),
    configFile: path.join(os.tmpdir(), 'helix.toml'),
    generation: 'v2',
    containerRuntime: 'docker',
    environments: [env],
    errorCount: 0,
  };

  before(async () => {
    await buildTestImage(docker, image, 1);
    reg = await startRegistry({ users: { x: TOKEN } });
  });
  beforeEach(async () => (fly = await startFlyServer(TOKEN)));
  afterEach(() => fly.stop());
  after(async () => {
    await reg.stop();
    await removeTestImage(docker, image);
  });

  const deployer = (token = TOKEN, tag = 'demo-production-abc1234') =>
    new FlyDeployer({
      machinesUrl: fly.url,
      token: async () => token,
      pushImage: async (ctx, app) => {
        const ref = parseReference(`${reg.host}/${app}:${tag}`);
        await pushImage(new EnginePusher(docker), {
          source: image,
          ref,
          credentials: new FlyRegistryCredentials(async () => token),
          signal: ctx.signal,
        });
        return formatReference(ref);
      },
    });
  const ctx = (lines: string[]): DeployContext => ({
    project,
    environment: env,
    signal: new AbortController().signal,
    log: (l) => lines.push(l),
  });

  it('first deploy: creates the app, the volume and a machine running the pushed image', async () => {
    const lines: string[] = [];
    const r = await deployer().deploy(ctx(lines));
    assert.equal(r.url, 'https://helix-demo-production.fly.dev');
    const app = fly.apps.get('helix-demo-production')!;
    assert.ok(app, 'app created with the CLI naming');
    const [m] = [...app.machines.values()];
    assert.equal(m.config.image, `${reg.host}/helix-demo-production:demo-production-abc1234`);
    assert.deepEqual(m.config.guest, { cpu_kind: 'shared', cpus: 4, memory_mb: 1024 });
    assert.equal(m.config.services[0].internal_port, 6969);
    assert.equal(m.config.mounts[0].path, '/data');
    assert.equal(app.volumes[0].name, 'helix_demo_production_data');
    assert.ok(
      await registryDigest(reg.host, 'helix-demo-production', 'demo-production-abc1234', { user: 'x', pass: TOKEN }),
      'image is in the registry',
    );
    assert.ok(lines.some((l) => /Machine .* started/.test(l)));
  });

  it('next deploy rolls the existing machine to the new image', async () => {
    await deployer(TOKEN, 'v1').deploy(ctx([]));
    await deployer(TOKEN, 'v2').deploy(ctx([]));
    const machines = [...fly.apps.get('helix-demo-production')!.machines.values()];
    assert.equal(machines.length, 1);
    assert.match(machines[0].config.image, /:v2$/);
    assert.equal(fly.apps.get('helix-demo-production')!.volumes.length, 1);
  });

  it('a wrong token is a CloudAuthError (re-login)', async () => {
    await assert.rejects(deployer('wrong-token').deploy(ctx([])), CloudAuthError);
  });

  describe('with flyctl installed', () => {
    // flyctl cannot talk to Fly from here: a stand-in program on PATH records how it was called
    // (whether the token arrived through the environment, never its value) and prints progress.
    let bin: string;
    let savedPath: string | undefined;
    before(() => {
      bin = fs.mkdtempSync(path.join(os.tmpdir(), 'hd-flyctl-'));
      fs.writeFileSync(
        path.join(bin, 'flyctl'),
        `#!/bin/sh\nif [ "$1" = version ]; then echo "flyctl v0.3.0 (stand-in)"; exit 0; fi\necho "$@" > "${bin}/args"\n[ "$FLY_API_TOKEN" = "${TOKEN}" ] && echo token-in-env > "${bin}/token"\necho "==> Verifying app config"\necho "--> Machine 1 [app] update succeeded"\n[ "$3" = "fail" ] && exit 3\nexit 0\n`,
        { mode: 0o755 },
      );
      savedPath = process.env.PATH;
      process.env.PATH = `${bin}:${savedPath}`;
    });
    after(() => {
      process.env.PATH = savedPath;
      fs.rmSync(bin, { recursive: true, force: true });
    });

    it('pushes, then runs flyctl deploy --image with the token in the environment and its output in the log', async () => {
      const program = await findFlyctl();
      assert.equal(program, 'flyctl');
      const lines: string[] = [];
      const d = new FlyDeployer({
        machinesUrl: fly.url,
        token: async () => TOKEN,
        flyctl: program,
        pushImage: async () => `${reg.host}/helix-demo-production:t1`,
      });
      const r = await d.deploy(ctx(lines));
      assert.equal(r.url, 'https://helix-demo-production.fly.dev');
      assert.equal(
        fs.readFileSync(path.join(bin, 'args'), 'utf8').trim(),
        `deploy --image ${reg.host}/helix-demo-production:t1 -a helix-demo-production --now`,
      );
      assert.ok(fs.existsSync(path.join(bin, 'token')), 'token passed through FLY_API_TOKEN');
      assert.ok(lines.includes('--> Machine 1 [app] update succeeded'));
      assert.equal(
        [...fly.apps.get('helix-demo-production')!.machines.values()].length,
        0,
        'no Machines API deploy when flyctl is used',
      );
    });

    it('a failing flyctl deploy is a clear error', async () => {
      const d = new FlyDeployer({
        machinesUrl: fly.url,
        token: async () => TOKEN,
        flyctl: 'flyctl',
        pushImage: async () => 'fail',
      });
      await assert.rejects(d.deploy(ctx([])), /flyctl deploy failed with exit code 3/);
    });
  });
});
