import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isCancelled } from '../../../src/core/errors';
import { CloudAuthError, type DeployContext } from '../../../src/core/push/cloud';
import type { Environment, Project } from '../../../src/core/model/types';
import { HelixCloudDeployer } from '../../../src/providers/helix-cloud/deployer';
import { freePort } from '../../support/registry';
import { startHelixCloud, type HelixCloudStandIn } from '../../support/helixCloudServer';

// Helix Cloud cannot be reached from here: these run against our stand-in on 127.0.0.1 that speaks the
// CLI's documented endpoints and payloads (test/support/helixCloudServer.ts).

const HELIX_TOML = `[project]
name = "demo"
queries = "./db/"

[local.dev]
port = 6969

[cloud.production.helix]
cluster_id = "1f0ca9da-5f56-6a04-873b-010203040506"
region = "us-east-1"
build_mode = "release"
env_vars = { OPENAI_MODEL = "small" }

[enterprise.ent]
cluster_id = "ec_01HX"
gateway_url = "https://gw.example.invalid"
`;

describe('Helix Cloud deploy (stand-in server)', () => {
  let server: HelixCloudStandIn;
  let dir: string;
  let project: Project;
  const cloudEnv: Environment = {
    name: 'production',
    kind: 'helix-cloud',
    source: 'helix.toml',
    settings: {
      cluster_id: '1f0ca9da-5f56-6a04-873b-010203040506',
      build_mode: 'release',
      env_vars: { OPENAI_MODEL: 'small' },
    },
  };
  const entEnv: Environment = {
    name: 'ent',
    kind: 'enterprise',
    source: 'helix.toml',
    settings: { cluster_id: 'ec_01HX', gateway_url: 'https://gw.example.invalid' },
  };

  beforeEach(async () => {
    server = await startHelixCloud('hx-api-key-canary-7731');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hd-hc-'));
    fs.writeFileSync(path.join(dir, 'helix.toml'), HELIX_TOML);
    fs.mkdirSync(path.join(dir, 'db', 'sub'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'db', 'schema.hx'), 'N::User { name: String }\n');
    fs.writeFileSync(path.join(dir, 'db', 'queries.hx'), 'QUERY getUser() => u <- N<User> RETURN u\n');
    fs.writeFileSync(path.join(dir, 'db', 'sub', 'more.hx'), 'QUERY x() => RETURN 1\n');
    project = {
      name: 'demo',
      dir,
      configFile: path.join(dir, 'helix.toml'),
      generation: 'v2',
      containerRuntime: 'docker',
      environments: [cloudEnv, entEnv],
      errorCount: 0,
    };
  });
  afterEach(async () => {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const ctx = (env: Environment, lines: string[], signal = new AbortController().signal): DeployContext => ({
    project,
    environment: env,
    signal,
    log: (l) => lines.push(l),
  });
  const deployer = (key = 'hx-api-key-canary-7731') =>
    new HelixCloudDeployer({
      baseUrl: server.url,
      apiKey: async () => key,
      buildQueries: async () => Buffer.from('{"queries":[]}'),
    });

  it('v2: streams progress into the log, returns the URL and the auth key (kept out of the log)', async () => {
    const lines: string[] = [];
    const r = await deployer().deploy(ctx(cloudEnv, lines));
    assert.equal(r.url, 'https://1f0ca9da-5f56-6a04-873b-010203040506.helix-cloud.invalid');
    assert.deepEqual(r.secret, { name: 'HELIX_API_KEY', value: server.authKey });
    assert.ok(lines.includes('Validating queries...'));
    assert.ok(lines.includes('Compiling helix-container'));
    assert.ok(lines.some((l) => l.startsWith('Deployed to: https://')));
    assert.ok(!lines.join('\n').includes(server.authKey), 'auth key never logged');
    const req = server.requests[0];
    assert.equal(req.path, '/api/cli/clusters/1f0ca9da-5f56-6a04-873b-010203040506/deploy');
    assert.equal(req.apiKey, 'hx-api-key-canary-7731');
    assert.equal(req.body.schema, 'N::User { name: String }\n');
    assert.deepEqual(Object.keys(req.body.queries).sort(), ['queries.hx', 'sub/more.hx']);
    assert.deepEqual(req.body.env_vars, { OPENAI_MODEL: 'small' });
    assert.equal(req.body.instance_name, 'production');
    assert.equal(req.body.build_mode, 'release');
    assert.match(req.body.helix_toml, /\[project\]\nname = "demo"/);
    assert.match(req.body.helix_toml, /\[cloud\.production\.helix\]\ncluster_id = "1f0ca9da/);
    assert.doesNotMatch(req.body.helix_toml, /local|enterprise/, 'pruned to [project] and this instance');
  });

  it('v2: a refused API key is a CloudAuthError (re-login), not a stack trace', async () => {
    await assert.rejects(
      deployer('wrong').deploy(ctx(cloudEnv, [])),
      (e) => e instanceof CloudAuthError && /Sign in again/.test(e.message),
    );
    await assert.rejects(
      new HelixCloudDeployer({ baseUrl: server.url, apiKey: async () => undefined }).deploy(ctx(cloudEnv, [])),
      /HELIX_API_KEY/,
    );
  });

  it('v2: an error event fails the deploy with the server message', async () => {
    server.scenario = 'error';
    await assert.rejects(
      deployer().deploy(ctx(cloudEnv, [])),
      /Deployment failed: query compilation failed: unknown type User/,
    );
  });

  it('v2: a stream that drops before the result says so', async () => {
    server.scenario = 'drop';
    await assert.rejects(deployer().deploy(ctx(cloudEnv, [])), /ended without a result|terminated|other side closed/);
  });

  it('v2: cancel aborts the stream', async () => {
    const ac = new AbortController();
    const lines: string[] = [];
    const p = deployer().deploy({
      ...ctx(cloudEnv, lines, ac.signal),
      log: (l) => (lines.push(l), l === 'Validating queries...' && ac.abort()),
    });
    await assert.rejects(p, (e: any) => e.name === 'AbortError' || /abort/i.test(String(e)));
  });

  it('placeholder cluster ids and unreachable servers give actionable errors', async () => {
    const closed = await freePort();
    const placeholder = { ...cloudEnv, settings: { cluster_id: 'YOUR_CLUSTER_ID' } };
    await assert.rejects(deployer().deploy(ctx(placeholder, [])), /has no cluster_id/);
    await assert.rejects(
      new HelixCloudDeployer({ baseUrl: `http://127.0.0.1:${closed}`, apiKey: async () => 'k' }).deploy(
        ctx(cloudEnv, []),
      ),
      /Could not reach Helix Cloud at http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/,
    );
  });

  it('enterprise: a cancel while the query project compiles is a cancellation, not a failure', async () => {
    // A stand-in cargo that compiles forever: only the cancel can end it.
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'hd-cargo-'));
    fs.writeFileSync(path.join(bin, 'cargo'), '#!/bin/sh\necho "   Compiling queries v0.1.0"\nexec sleep 60\n', {
      mode: 0o755,
    });
    const savedPath = process.env.PATH;
    process.env.PATH = `${bin}${path.delimiter}${savedPath}`;
    try {
      const ac = new AbortController();
      const log = (l: string) => void (/Compiling/.test(l) && ac.abort());
      const compiling = new HelixCloudDeployer({ baseUrl: server.url, apiKey: async () => 'hx-api-key-canary-7731' });
      await assert.rejects(compiling.deploy({ project, environment: entEnv, signal: ac.signal, log }), (e: unknown) =>
        isCancelled(e),
      );
    } finally {
      process.env.PATH = savedPath;
      fs.rmSync(bin, { recursive: true, force: true });
    }
  });

  it('v3.0-3.1 enterprise push: queries.json base64, sources, pruned helix.toml', async () => {
    fs.writeFileSync(path.join(dir, 'db', 'Cargo.toml'), '[package]\nname = "q"\n');
    fs.mkdirSync(path.join(dir, 'db', 'src'));
    fs.writeFileSync(path.join(dir, 'db', 'src', 'main.rs'), 'fn main() {}\n');
    const lines: string[] = [];
    const r = await deployer().deploy(ctx(entEnv, lines));
    assert.equal(r.url, 'https://gw.example.invalid');
    const req = server.requests[0];
    assert.equal(req.path, '/api/cli/enterprise-clusters/ec_01HX/deploy');
    assert.equal(Buffer.from(req.body.queries_json_b64, 'base64').toString(), '{"queries":[]}');
    assert.equal(req.body.queries_json_size_bytes, 14);
    assert.deepEqual(Object.keys(req.body.source_files).sort(), ['Cargo.toml', 'src/main.rs']);
    assert.match(req.body.helix_toml, /\[enterprise\.ent\]\ncluster_id = "ec_01HX"/);
  });

  it('v3.4 database environments: explains that the CLI has no push any more', async () => {
    await assert.rejects(
      deployer().deploy(ctx({ ...entEnv, settings: { database: 'tenant:abc' } }, [])),
      /no push \("Cloud database lifecycle is managed through the Helix control plane"\); deploy it from the Helix control plane/,
    );
  });
});
