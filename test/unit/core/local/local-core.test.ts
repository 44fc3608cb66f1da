import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as crypto from 'node:crypto';
import { describeEnv, isSecretKey, parseDotenv, redactor, secretValues } from '../../../../src/core/local/dotenv';
import { buildPlan, containerPort, hostPort, imageRef, labelsOf } from '../../../../src/core/local/naming';
import { isPortFree, nextFreePort } from '../../../../src/core/local/ports';
import { parseHost, resolveEndpoint } from '../../../../src/providers/docker/connect';
import { mapError } from '../../../../src/providers/docker/errors';
import { contextFiles } from '../../../../src/providers/docker/context';
import { LocalError } from '../../../../src/core/local/errors';
import type { Project } from '../../../../src/core/model/types';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'hd-unit-'));

function target(generation: Project['generation'], settings: Record<string, unknown> = {}, port?: number) {
  const dir = tmp();
  const project: Project = {
    name: 'demo',
    dir,
    configFile: path.join(dir, 'helix.toml'),
    generation,
    containerRuntime: 'docker',
    environments: [],
    errorCount: 0,
  };
  return {
    project,
    environment: { name: 'dev', kind: 'local' as const, source: 'helix.toml' as const, port, settings },
  };
}

describe('dotenv and secrets', () => {
  it('parses comments, export, quotes', () => {
    const env = parseDotenv('# c\nexport A=1\nB="two words"\nC=\'x#y\'\nD=plain # trailing\n\nbad line\n');
    assert.deepEqual(env, { A: '1', B: 'two words', C: 'x#y', D: 'plain' });
  });
  it('recognises secret-looking keys', () => {
    for (const k of [
      'HELIX_API_KEY',
      'OPENAI_API_KEY',
      'DB_PASSWORD',
      'GITHUB_TOKEN',
      'AWS_SECRET_ACCESS_KEY',
      'PRIVATE_KEY',
      'AUTH',
    ])
      assert.ok(isSecretKey(k), k);
    for (const k of ['PORT', 'HELIX_INSTANCE', 'LOG_LEVEL', 'KEYBOARD_LAYOUT']) assert.ok(!isSecretKey(k), k);
  });
  it('describes env without secret values and redacts them anywhere', () => {
    const env = { PORT: '1', HELIX_API_KEY: 'sk-abcdef' };
    assert.deepEqual(describeEnv(env), ['PORT=1', 'HELIX_API_KEY=***']);
    const mask = redactor(secretValues(env));
    assert.equal(mask('curl -H "x-api-key: sk-abcdef"'), 'curl -H "x-api-key: ***"');
  });
});

describe('CLI naming and ports', () => {
  it('maps v3 host port to 8080 and v2 to the same port', () => {
    const v3 = target('v3.1', {}, 7000);
    assert.equal(hostPort(v3), 7000);
    assert.equal(containerPort(v3, 7000), 8080);
    const v2 = target('v2', {}, 7001);
    assert.equal(containerPort(v2, 7001), 7001);
    assert.equal(hostPort(target('v3.4')), 6969);
  });
  it('labels and image reference', () => {
    const t = target('v3.1');
    assert.deepEqual(labelsOf(t), { 'helix.project': 'demo', 'helix.environment': 'dev', 'helix.dir': t.project.dir });
    assert.equal(imageRef(t), 'helix-demo-dev:dev');
    assert.equal(
      imageRef({ ...t, environment: { ...t.environment, image: 'ghcr.io/helixdb/helixdb', tag: 'v0.0.4' } }),
      'ghcr.io/helixdb/helixdb:v0.0.4',
    );
    assert.equal(
      imageRef({ ...t, environment: { ...t.environment, image: 'localhost:5000/x' } }),
      'localhost:5000/x:latest',
    );
  });
  it('build plan from [local.<n>].build or the project Dockerfile', () => {
    const t = target('v3.1');
    assert.equal(buildPlan(t), undefined);
    fs.writeFileSync(path.join(t.project.dir, 'Dockerfile'), 'FROM scratch\n');
    assert.equal(buildPlan(t)?.context, t.project.dir);
    fs.mkdirSync(path.join(t.project.dir, 'img'));
    fs.writeFileSync(path.join(t.project.dir, 'img', 'Custom'), 'FROM scratch\n');
    const p = buildPlan({
      ...t,
      environment: { ...t.environment, settings: { build: { context: 'img', dockerfile: 'Custom', args: { A: 1 } } } },
    });
    assert.deepEqual(p && { c: p.context, d: p.dockerfile, a: p.buildArgs }, {
      c: path.join(t.project.dir, 'img'),
      d: 'Custom',
      a: { A: '1' },
    });
  });
  it('falls forward to the next free port', async () => {
    const s = net.createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as net.AddressInfo).port;
    assert.equal(await isPortFree(port), false);
    const next = await nextFreePort(port);
    assert.ok(next && next > port);
    s.close();
    assert.equal(await nextFreePort(10, 3, async (p) => p === 12), 12);
    assert.equal(await nextFreePort(10, 3, async () => false), undefined);
  });
});

describe('build context', () => {
  it('honours .dockerignore (with ! exceptions) but always sends the Dockerfile', () => {
    const d = tmp();
    fs.mkdirSync(path.join(d, 'node_modules/x'), { recursive: true });
    fs.mkdirSync(path.join(d, 'src'));
    fs.writeFileSync(path.join(d, 'node_modules/x/i.js'), '');
    fs.writeFileSync(path.join(d, 'src/a.ts'), '');
    fs.writeFileSync(path.join(d, 'src/a.log'), '');
    fs.writeFileSync(path.join(d, 'keep.log'), '');
    fs.writeFileSync(path.join(d, 'Dockerfile'), '');
    fs.writeFileSync(path.join(d, '.dockerignore'), 'node_modules\n**/*.log\n!keep.log\nDockerfile\n');
    assert.deepEqual(contextFiles(d).sort(), ['.dockerignore', 'Dockerfile', 'keep.log', 'src/a.ts']);
  });
});

describe('engine endpoint and errors', () => {
  it('resolves setting > DOCKER_HOST > context > default, and podman', () => {
    assert.equal(
      resolveEndpoint({ host: 'unix:///a.sock', env: { DOCKER_HOST: 'unix:///b.sock' } }).socketPath,
      '/a.sock',
    );
    assert.equal(resolveEndpoint({ env: { DOCKER_HOST: 'tcp://127.0.0.1:2375' } }).port, 2375);
    const home = tmp();
    const id = crypto.createHash('sha256').update('colima').digest('hex');
    fs.mkdirSync(path.join(home, '.docker/contexts/meta', id), { recursive: true });
    fs.writeFileSync(path.join(home, '.docker/config.json'), JSON.stringify({ currentContext: 'colima' }));
    fs.writeFileSync(
      path.join(home, '.docker/contexts/meta', id, 'meta.json'),
      JSON.stringify({ Endpoints: { docker: { Host: 'unix:///c.sock' } } }),
    );
    const ep = resolveEndpoint({ env: {}, home });
    assert.deepEqual([ep.socketPath, ep.source], ['/c.sock', 'context']);
    assert.equal(resolveEndpoint({ env: {}, home: tmp() }).socketPath, '/var/run/docker.sock');
    assert.equal(resolveEndpoint({ runtime: 'podman', env: { XDG_RUNTIME_DIR: '/run/user/1000' } }).source, 'podman');
    assert.throws(() => parseHost('ssh://me@host', 'setting'), /Unsupported engine address/);
  });
  it('maps socket and API errors to actionable codes', () => {
    const ep = parseHost('unix:///definitely/missing.sock', 'default');
    const code = (e: Partial<NodeJS.ErrnoException> & { statusCode?: number; json?: unknown }) =>
      (mapError(Object.assign(new Error(e.message ?? 'x'), e), ep, 'op') as LocalError).code;
    assert.equal(code({ code: 'ENOENT' }), 'no-engine');
    assert.equal(code({ code: 'ECONNREFUSED' }), 'daemon-stopped');
    assert.equal(code({ code: 'EACCES' }), 'permission-denied');
    assert.match(
      (mapError(Object.assign(new Error('x'), { code: 'EACCES' }), ep, 'op') as Error).message,
      /docker" group/,
    );
    assert.equal(
      code({
        statusCode: 500,
        json: {
          message:
            'driver failed programming external connectivity: Bind for 127.0.0.1:6969 failed: port is already allocated',
        },
      }),
      'port-in-use',
    );
    assert.equal(code({ statusCode: 404, json: { message: 'No such image: foo:dev' } }), 'image-missing');
    assert.equal(code({ statusCode: 500, json: { message: 'boom' } }), 'engine-error');
  });
});
