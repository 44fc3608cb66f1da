import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import * as net from 'node:net';
import { DockerEngine } from '../../../src/providers/docker/engine';
import { parseHost } from '../../../src/providers/docker/connect';
import type { Project } from '../../../src/core/model/types';
import type { LocalInstance } from '../../../src/core/local/naming';

// Shared setup for the docker integration tests: the engine from DOCKER_HOST (required), a private
// temp dir, and fixture contexts copied there with the static busybox beside the Dockerfile.

export function dockerHost(): string {
  const h = process.env.DOCKER_HOST;
  if (!h)
    throw new Error(
      'DOCKER_HOST is not set: integration tests need a private test engine (npm run test:integration starts one).',
    );
  return h;
}

/** The run's plain registry (host:port on 127.0.0.1), started by scripts/test.mjs. */
export function testRegistry(): string {
  const r = process.env.HELIX_TEST_REGISTRY;
  if (!r)
    throw new Error(
      "HELIX_TEST_REGISTRY is not set: integration tests need the run's registry (npm run test:integration starts one).",
    );
  return r;
}

export function testEngine(): DockerEngine {
  return new DockerEngine(parseHost(dockerHost(), 'DOCKER_HOST'));
}

export function tmpRoot(): string {
  const t = process.env.HELIX_TEST_TMP;
  if (!t) throw new Error('HELIX_TEST_TMP is not set');
  fs.mkdirSync(t, { recursive: true });
  return t;
}

export const BUSYBOX = '/bin/busybox';
// cwd-based fallback: the bench loads this file through tsx's ESM loader.
const FIXTURES =
  typeof __dirname === 'string' ? path.join(__dirname, '../../fixtures/docker') : path.resolve('test/fixtures/docker');

/** A unique short id for names/labels so parallel or repeated runs never collide. */
export function uid(): string {
  return randomUUID().slice(0, 8);
}

/** Copies test/fixtures/docker/<name> into a fresh temp dir, adding busybox. */
export function fixtureContext(name: string): string {
  if (!fs.existsSync(BUSYBOX)) throw new Error(`${BUSYBOX} is missing: apt-get install busybox-static`);
  const dir = fs.mkdtempSync(path.join(tmpRoot(), `ctx-${name}-`));
  fs.cpSync(path.join(FIXTURES, name), dir, { recursive: true });
  fs.copyFileSync(BUSYBOX, path.join(dir, 'busybox'));
  return dir;
}

export function localTarget(
  dir: string,
  projectName: string,
  env = 'dev',
  settings: Record<string, unknown> = {},
  port?: number,
): LocalInstance {
  const project: Project = {
    name: projectName,
    dir,
    configFile: path.join(dir, 'helix.toml'),
    generation: 'v3.1',
    containerRuntime: 'docker',
    environments: [],
    errorCount: 0,
  };
  const environment = {
    name: env,
    kind: 'local' as const,
    source: 'helix.toml' as const,
    port,
    image: `hd-test-${projectName}`,
    tag: 'dev',
    settings,
  };
  project.environments.push(environment);
  return { project, environment };
}

/** Removes every container and image a test created (by label / tag). */
export async function cleanup(engine: DockerEngine, projectName: string): Promise<void> {
  const cs = await engine.list([`helix.project=${projectName}`]).catch(() => []);
  for (const c of cs) await engine.remove(c.id).catch(() => undefined);
  await engine.docker
    .getImage(`hd-test-${projectName}:dev`)
    .remove({ force: true })
    .catch(() => undefined);
}

/** A free TCP port on 127.0.0.1 (for published ports and clashes). */
export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const p = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return p;
}
