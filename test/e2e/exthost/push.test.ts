import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api } from './helpers';
import { addFixtureProject } from './projects';
import { readProject } from '../../../src/core/config/project';
import { startHelixCloud } from '../../support/helixCloudServer';
import { registryDigest, startRegistry, type TestRegistry } from '../../support/registry';
import { poll } from '../../support/poll';

// The push layer inside a real extension host: Build Image then Push Image on the sample project
// `push-demo` (test/fixtures/push/push-demo, copied into the workspace) against the plain registry of the test run
// (HELIX_TEST_REGISTRY) and an htpasswd registry this suite starts, through the real commands with the
// tree-node argument. Secrets go through the extension's real SecretStorage.

const USER = 'helix';
const PASSWORD = `right-${randomBytes(6).toString('hex')}`;
const CANARY = `hd-canary-exthost-${randomBytes(8).toString('hex')}`;

function getJson(url: string): Promise<any> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () =>
          res.statusCode === 200
            ? resolve(JSON.parse(body))
            : reject(new Error(`GET ${url}: HTTP ${res.statusCode} ${body}`)),
        );
      })
      .on('error', reject);
  });
}

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? filesUnder(p) : e.isFile() ? [p] : [];
  });
}

function git(dir: string, ...args: string[]): { ok: boolean; out: string } {
  const r = spawnSync('git', ['-c', 'user.name=Helix Test', '-c', 'user.email=test@helix.invalid', ...args], {
    cwd: dir,
    encoding: 'utf8',
  });
  return { ok: r.status === 0, out: (r.stdout ?? '').trim() };
}

describe('push layer (extension host)', function () {
  this.timeout(180_000);
  let container: any;
  let project: any;
  let auth: TestRegistry;
  let commit: string | undefined;
  const plain = process.env.HELIX_TEST_REGISTRY ?? '';
  const notices: { severity: string; message: string; actions: string[] }[] = [];
  const node = (name: string) => ({
    type: 'environment',
    project,
    environment: project.environments.find((e: any) => e.name === name),
  });

  before(async () => {
    if (!process.env.DOCKER_HOST) throw new Error('DOCKER_HOST is not set in the extension host');
    if (!plain) throw new Error('HELIX_TEST_REGISTRY is not set in the extension host');
    ({ container } = await api());
    assert.ok(
      container.pushStatus && container.pushNotices,
      'registerPush exposes its status and notices on the container',
    );
    container.own(container.pushNotices.onDidShow((n: any) => notices.push(n)));
    const dir = addFixtureProject('push-demo');
    // The Dockerfile copies busybox from its context; it is not checked in.
    fs.copyFileSync('/bin/busybox', path.join(dir, 'busybox'));
    auth = await startRegistry({ users: { [USER]: PASSWORD } });
    // The fixture is static: give its environments the addresses of this run's registries.
    const deployToml = path.join(dir, 'helix.deploy.toml');
    fs.writeFileSync(
      deployToml,
      fs
        .readFileSync(deployToml, 'utf8')
        .replace('${HELIX_TEST_REGISTRY}', plain)
        .replace('${HELIX_AUTH_REGISTRY}', auth.host),
    );
    // A repository of its own, so the tag carries a commit (git missing: the no-commit tag is expected).
    if (git(dir, 'init', '-q').ok && git(dir, 'add', '-A').ok && git(dir, 'commit', '-qm', 'fixture').ok)
      commit = git(dir, 'rev-parse', 'HEAD').out;
    // A refresh already under way may predate the copy: refresh until the index has it.
    project = await poll(
      async () => {
        await container.projects.refresh();
        return container.projects.projects.find(
          (p: any) =>
            p.name === 'push-demo' &&
            p.environments.some((e: any) => e.name === 'secured' && e.settings.registry === `${auth.host}/push-demo`),
        );
      },
      { what: 'push-demo with the rewritten registries', timeoutMs: 30_000 },
    );
  });

  after(async () => {
    await auth?.stop();
  });

  it('registers the push commands', async () => {
    const all = await vscode.commands.getCommands(true);
    for (const id of ['pushImage', 'signIn', 'signOut', 'deployHelixCloud', 'deployFly'])
      assert.ok(all.includes(`helixDeploy.push.${id}`), id);
  });

  it('Build Image then Push Image: the registry holds <project>-<env>-<commit7>, the run and the tree show tag and digest', async () => {
    assert.equal(await vscode.commands.executeCommand('helixDeploy.local.build', node('dev')), true);
    await vscode.commands.executeCommand('helixDeploy.push.pushImage', node('registry'));
    const tag = commit ? `push-demo-registry-${commit.slice(0, 7)}` : 'push-demo-registry';
    const tags = await getJson(`http://${plain}/v2/push-demo/tags/list`);
    assert.ok(tags.tags.includes(tag), `registry tags ${JSON.stringify(tags.tags)} include ${tag}`);
    const digest = await registryDigest(plain, 'push-demo', tag);
    assert.match(String(digest), /^sha256:[0-9a-f]{64}$/);
    const journal = await container.journal;
    const [run] = journal.list({ project: 'push-demo', environment: 'registry', kind: 'push' });
    assert.equal(run.state, 'Succeeded');
    assert.equal(run.meta.tag, tag);
    assert.equal(run.meta.digest, digest);
    assert.equal(container.pushStatus.describe('push-demo', 'registry'), `${tag} @ ${digest!.slice(0, 19)}`);
    assert.ok(
      notices.some((n) => n.severity === 'info' && n.message.startsWith(`Pushed ${plain}/push-demo:${tag}`)),
      JSON.stringify(notices),
    );
  });

  it('stored credentials that the registry refuses: an error with "Sign In", a Failed run, no stack trace, the canary nowhere', async () => {
    const key = `helix-deploy.registry/${auth.host}`;
    await container.context.secrets.store(key, JSON.stringify({ username: USER, secret: CANARY }));
    notices.length = 0;
    let finished = false;
    const pushed = Promise.resolve(
      vscode.commands.executeCommand('helixDeploy.push.pushImage', node('secured')),
    ).finally(() => (finished = true));
    // After the refusal the push asks for new credentials once: the user dismisses the input box.
    while (!finished) {
      await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
      await new Promise((r) => setTimeout(r, 200));
    }
    await pushed;
    const error = notices.find((n) => n.severity === 'error');
    assert.ok(error, `an error notification (got ${JSON.stringify(notices)})`);
    assert.deepEqual(error.actions, ['Sign In']);
    assert.match(error.message, /refused the credentials/);
    assert.doesNotMatch(error.message, /\n\s+at /, 'no stack trace');
    const journal = await container.journal;
    const [run] = journal.list({ project: 'push-demo', environment: 'secured', kind: 'push' });
    assert.equal(run.state, 'Failed');
    assert.match(run.error, /refused the credentials/);
    assert.ok(
      run.log.some((l: string) => l.includes(`Using credentials for ${auth.host} from secret storage`)),
      'the stored (canary) credential was used',
    );
    assert.equal(await container.context.secrets.get(key), undefined, 'the refused credential is forgotten');

    // The log channel writes to <logUri>/Helix Deploy.log: wait for a marker to know it is flushed.
    const marker = `canary-check-${randomBytes(4).toString('hex')}`;
    container.log.info(marker);
    const logDir = container.context.logUri.fsPath;
    await poll(() => filesUnder(logDir).some((f) => fs.readFileSync(f, 'utf8').includes(marker)), {
      what: 'the extension log on disk',
      timeoutMs: 30_000,
    });
    const forms = [CANARY, Buffer.from(CANARY).toString('base64'), Buffer.from(`${USER}:${CANARY}`).toString('base64')];
    const journalFile = journal.journalOf(project.dir).file;
    const files = [
      journalFile,
      ...filesUnder(path.dirname(logDir)),
      ...filesUnder(container.context.storageUri?.fsPath ?? ''),
      ...filesUnder(container.context.globalStorageUri.fsPath),
      ...filesUnder(project.dir),
    ];
    assert.ok(
      files.includes(journalFile) && files.some((f) => f.endsWith('Helix Deploy.log')),
      `journal and log file are searched: ${files.join(', ')}`,
    );
    for (const f of files) {
      const text = fs.readFileSync(f).toString('latin1');
      for (const form of forms) assert.ok(!text.includes(form), `the canary credential is in ${f}`);
    }
  });

  it('the right stored credentials push; Sign Out removes the stored secret', async () => {
    const key = `helix-deploy.registry/${auth.host}`;
    await container.context.secrets.store(key, JSON.stringify({ username: USER, secret: PASSWORD }));
    await vscode.commands.executeCommand('helixDeploy.push.pushImage', node('secured'));
    const journal = await container.journal;
    const [run] = journal.list({ project: 'push-demo', environment: 'secured', kind: 'push' });
    assert.equal(run.state, 'Succeeded', run.error);
    assert.equal(
      await registryDigest(auth.host, 'push-demo', run.meta.tag, { user: USER, pass: PASSWORD }),
      run.meta.digest,
    );
    await vscode.commands.executeCommand('helixDeploy.push.signOut', auth.host);
    assert.equal(await container.context.secrets.get(key), undefined);
  });
});

describe('cloud deploy health (extension host)', function () {
  this.timeout(120_000);

  it('Deploy to Helix Cloud: the URL it returns is probed; notification, per-environment health and the tree description show it', async () => {
    const { container } = await api();
    addFixtureProject('push-cloud');
    const project = await poll(
      async () => {
        await container.projects.refresh();
        return container.projects.projects.find((p: any) => p.name === 'push-cloud');
      },
      { what: 'the push-cloud project', timeoutMs: 30_000 },
    );
    const environment = project.environments.find((e: any) => e.name === 'production');
    assert.equal(environment?.kind, 'helix-cloud');
    // The deployment the stand-in hands back: a server without a health route (as a v2 image).
    const hits: string[] = [];
    const app = http.createServer((req, res) => (hits.push(req.url ?? ''), res.writeHead(404).end()));
    await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(app.address() as any).port}`;
    const key = `hx-exthost-${randomBytes(6).toString('hex')}`;
    const cloud = await startHelixCloud(key);
    cloud.deployedUrl = url;
    const saved = { authority: process.env.CLOUD_AUTHORITY, key: process.env.HELIX_API_KEY };
    process.env.CLOUD_AUTHORITY = cloud.url;
    process.env.HELIX_API_KEY = key;
    const notices: { severity: string; message: string; actions: string[] }[] = [];
    const sub = container.pushNotices.onDidShow((n: any) => notices.push(n));
    try {
      await vscode.commands.executeCommand('helixDeploy.push.deployHelixCloud', {
        type: 'environment',
        project,
        environment,
      });
    } finally {
      sub.dispose();
      process.env.CLOUD_AUTHORITY = saved.authority ?? '';
      if (saved.authority === undefined) delete process.env.CLOUD_AUTHORITY;
      if (saved.key === undefined) delete process.env.HELIX_API_KEY;
      else process.env.HELIX_API_KEY = saved.key;
      app.closeAllConnections();
      app.close();
      await cloud.stop();
    }
    assert.equal(cloud.requests[0]?.path, '/api/cli/clusters/push-cloud-cluster/deploy');
    assert.deepEqual(hits, ['/'], 'v2: the root is probed');
    const shown = notices.find((n) => n.message.startsWith(`Deployed production to ${url}`));
    assert.ok(shown, JSON.stringify(notices));
    assert.equal(shown.severity, 'info');
    assert.match(shown.message, /: healthy \(liveness 404 in [\d.]+ ms\)$/);
    assert.deepEqual(shown.actions, ['Open', 'Copy Auth Key']);
    assert.equal(container.local.health.get(`${project.dir}#production`)?.status, 'healthy');
    assert.equal(container.pushStatus.describe('push-cloud', 'production'), `${url} · healthy`);
    const [run] = (await container.journal).list({ project: 'push-cloud', environment: 'production', kind: 'deploy' });
    assert.equal(run.state, 'Succeeded');
    assert.equal(run.meta.health, 'healthy');
  });

  it('Deploy to Helix Cloud on a `database = ...` environment: no request; the control plane is offered instead', async () => {
    const { container } = await api();
    const project = readProject(
      '/w/cloud-db/helix.toml',
      '[project]\nname = "cloud-db"\n\n[local.dev]\n\n[enterprise.prod]\ndatabase = "tenant:t1"\n',
    )!;
    const environment = project.environments.find((e) => e.name === 'prod')!;
    const cloud = await startHelixCloud('unused-key');
    const saved = process.env.CLOUD_AUTHORITY;
    process.env.CLOUD_AUTHORITY = cloud.url;
    const notices: { severity: string; message: string; actions: string[] }[] = [];
    const sub = container.pushNotices.onDidShow((n: any) => notices.push(n));
    try {
      await vscode.commands.executeCommand('helixDeploy.push.deployHelixCloud', {
        type: 'environment',
        project,
        environment,
      });
    } finally {
      sub.dispose();
      if (saved === undefined) delete process.env.CLOUD_AUTHORITY;
      else process.env.CLOUD_AUTHORITY = saved;
      await cloud.stop();
    }
    assert.deepEqual(cloud.requests, [], 'nothing is sent to Helix Cloud');
    assert.equal(notices.length, 1, JSON.stringify(notices));
    assert.equal(notices[0].severity, 'info');
    assert.match(
      notices[0].message,
      /^"prod" is a Helix Cloud database \(tenant:t1\)\. The helix CLI \(CLI 3\.4\) has no deploy for it: "Cloud database lifecycle is managed through the Helix control plane"/,
    );
    assert.deepEqual(notices[0].actions, ['Open Control Plane', 'Open Docs']);
    const all = await vscode.commands.getCommands(true);
    assert.ok(all.includes('helixDeploy.cloud.openControlPlane') && all.includes('helixDeploy.cloud.checkHealth'));
  });
});
