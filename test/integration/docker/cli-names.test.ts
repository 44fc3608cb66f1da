import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Journal } from '../../../src/core/engine/journal';
import { HealthService } from '../../../src/core/health/service';
import { LocalService } from '../../../src/core/local/service';
import { cleanup, fixtureContext, freePort, localTarget, testEngine, tmpRoot, uid } from './support';

// A container started the helix CLI's way for a project whose name has a space is the one the extension sees
// and stops: the real engine, a container created with exactly the arguments `helix start` passes (no labels of
// ours), the name taken from the CLI's own test vector.

describe('helix CLI container names (real engine)', function () {
  this.timeout(90_000);
  const engine = testEngine();
  const CLI_NAME = 'helix-My-Project-dev-7a878e3f'; // "My Project" / dev, from the CLI's local_runtime.rs tests
  let journal: Journal;
  let svc: LocalService;
  let image: string;

  before(async () => {
    journal = await Journal.open(path.join(fs.mkdtempSync(path.join(tmpRoot(), 'journal-')), 'runs.journal'));
    svc = new LocalService({
      engine,
      journal,
      health: new HealthService(),
      who: async () => 'test <test@example.invalid>',
    });
    image = `n${uid()}`;
  });

  after(async () => {
    await engine.remove(CLI_NAME).catch(() => undefined);
    await cleanup(engine, image);
    await journal.close();
  });

  it('finds, stops and removes the CLI-named container of "My Project"', async () => {
    const port = await freePort();
    const dir = fixtureContext('health-app');
    // Build the stand-in server image under a plain project name, then act as `helix start` for "My Project".
    await svc.build(localTarget(dir, image, 'dev', {}, port));
    const created = await engine.docker.createContainer({
      name: CLI_NAME,
      Image: `hd-test-${image}:dev`,
      HostConfig: {
        RestartPolicy: { Name: 'unless-stopped' },
        PortBindings: { '8080/tcp': [{ HostPort: String(port) }] },
      },
      ExposedPorts: { '8080/tcp': {} },
    });
    await created.start();

    const t = localTarget(dir, 'My Project', 'dev', {}, port);
    t.environment.image = `hd-test-${image}`;
    const seen = await svc.status(t);
    assert.equal(seen?.name, CLI_NAME);
    assert.equal(seen?.state, 'running');
    assert.deepEqual(seen?.labels, {}, 'no labels: started outside the extension');

    await svc.stop(t);
    assert.notEqual((await engine.inspect(CLI_NAME))?.state, 'running');
    await svc.remove(t);
    assert.equal(await engine.inspect(CLI_NAME), undefined);
  });
});
