import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Docker from 'dockerode';
import { StoredCredentials } from '../../../src/core/credentials/stored';
import { MemorySecretStore } from '../../support/memorySecretStore';
import { CredentialRedactor } from '../../../src/core/credentials/redact';
import { Journal } from '../../../src/core/engine/journal';
import { runDeploy } from '../../../src/core/push/deployRun';
import { parseReference } from '../../../src/core/push/reference';
import { lastPush, runPush } from '../../../src/core/push/service';
import { RegistryAuthError } from '../../../src/core/push/types';
import type { Environment, Project } from '../../../src/core/model/types';
import { HelixCloudDeployer } from '../../../src/providers/helix-cloud/deployer';
import { EnginePusher } from '../../../src/providers/registry/enginePusher';
import { startHelixCloud } from '../../support/helixCloudServer';
import {
  buildTestImage,
  removeTestImage,
  startRegistry,
  testDockerSocket,
  tmpRoot,
  type TestRegistry,
} from '../../support/registry';

// Canary credentials go through every path that logs or records (run journal, log channel sink,
// errors, re-login, cloud deploy with a returned auth key); afterwards no file holds them in any form.

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? filesUnder(p) : e.isFile() ? [p] : [];
  });
}

const forms = (s: string) => [
  s,
  Buffer.from(s).toString('base64'),
  Buffer.from(s).toString('base64url'),
  Buffer.from(`alice:${s}`).toString('base64'),
];

describe('canary credentials never reach logs or files', function () {
  this.timeout(120_000);
  const docker = new Docker({ socketPath: testDockerSocket() });
  const image = `hd-canary-src-${process.pid}:1`;
  const canaries = {
    registry: `hd-canary-reg-${randomBytes(8).toString('hex')}`,
    wrong: `hd-canary-wrong-${randomBytes(8).toString('hex')}`,
    apiKey: `hd-canary-api-${randomBytes(8).toString('hex')}`,
    authKey: `hd-canary-auth-${randomBytes(8).toString('hex')}`,
  };
  let reg: TestRegistry;
  let work: string;

  before(async () => {
    await buildTestImage(docker, image, 1);
    reg = await startRegistry({ users: { alice: canaries.registry } });
    work = tmpRoot();
  });
  after(async () => {
    await reg.stop();
    fs.rmSync(work, { recursive: true, force: true });
    await removeTestImage(docker, image);
  });

  it('push (good, wrong, re-login) and Helix Cloud deploy leave no trace of the secrets', async () => {
    const journal = await Journal.open(path.join(work, 'runs.journal'));
    const logFile = path.join(work, 'output-channel.log');
    const log = (l: string) => fs.appendFileSync(logFile, l + '\n');
    const deps = { pusher: new EnginePusher(docker), redactor: new CredentialRedactor(), journal, log };
    const ref = parseReference(`${reg.host}/acme/canary:demo-dev-1234567`);
    const base = { project: 'demo', environment: 'staging', source: image, ref, who: 'tester' };

    // 1. Wrong password first, then the right one on the re-login prompt.
    const answers = [canaries.wrong, canaries.registry];
    const creds = new StoredCredentials(new MemorySecretStore(), async () => ({
      username: 'alice',
      secret: answers.shift()!,
    }));
    const ok = await runPush(deps, { ...base, credentials: creds });
    assert.ok(lastPush(journal, 'demo', 'staging')?.digest === ok.digest, 'last push recorded for the trees');

    // 2. Wrong credentials only: a failed run with a re-login error.
    const bad = new StoredCredentials(new MemorySecretStore(), async () => ({
      username: 'alice',
      secret: canaries.wrong,
    }));
    await assert.rejects(
      runPush({ ...deps, redactor: new CredentialRedactor() }, { ...base, credentials: bad }),
      RegistryAuthError,
    );

    // 3. Helix Cloud deploy with a canary API key that hands back a canary auth key.
    const cloud = await startHelixCloud(canaries.apiKey);
    cloud.authKey = canaries.authKey;
    const dir = path.join(work, 'project');
    fs.mkdirSync(path.join(dir, 'db'), { recursive: true });
    fs.writeFileSync(
      path.join(dir, 'helix.toml'),
      '[project]\nname = "demo"\n\n[cloud.prod.helix]\ncluster_id = "c1"\n',
    );
    fs.writeFileSync(path.join(dir, 'db', 'schema.hx'), 'N::A {}\n');
    const env: Environment = {
      name: 'prod',
      kind: 'helix-cloud',
      source: 'helix.toml',
      settings: { cluster_id: 'c1' },
    };
    const project: Project = {
      name: 'demo',
      dir,
      configFile: path.join(dir, 'helix.toml'),
      generation: 'v2',
      containerRuntime: 'docker',
      environments: [env],
      errorCount: 0,
    };
    const result = await runDeploy(
      { redactor: new CredentialRedactor(), journal, log },
      new HelixCloudDeployer({ baseUrl: cloud.url, apiKey: async () => canaries.apiKey }),
      { project, environment: env, signal: new AbortController().signal },
      'tester',
    );
    assert.equal(result.secret?.value, canaries.authKey);
    await assert.rejects(
      runDeploy(
        { redactor: new CredentialRedactor(), journal, log },
        new HelixCloudDeployer({ baseUrl: cloud.url, apiKey: async () => canaries.wrong }),
        { project, environment: env, signal: new AbortController().signal },
        'tester',
      ),
    );
    await cloud.stop();
    await journal.close();

    const logText = fs.readFileSync(logFile, 'utf8');
    assert.match(logText, /Pushed .*acme\/canary/);
    assert.match(logText, /Push failed: Registry .* refused the credentials/);
    assert.match(logText, /Deployed: https:\/\//);
    const files = [
      ...filesUnder(work),
      ...filesUnder(reg.dir).filter((f) => !f.includes(`${path.sep}data${path.sep}`)),
    ];
    assert.ok(files.some((f) => f.endsWith('runs.journal')));
    for (const f of files) {
      const text = fs.readFileSync(f, 'latin1');
      for (const [name, secret] of Object.entries(canaries)) {
        for (const form of forms(secret)) assert.ok(!text.includes(form), `${name} canary found in ${f}`);
      }
    }
  });
});
