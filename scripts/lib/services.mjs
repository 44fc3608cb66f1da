// Real components for the integration, extension-host and UI tests: a private dockerd (own socket,
// own data root, own bridge so it never touches the machine's docker0) and a registry on 127.0.0.1.
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { request } from 'node:http';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { startDaemon, killTree, waitExit } from './run.mjs';

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function httpOk(url, socketPath) {
  return new Promise((resolve) => {
    const req = request(socketPath ? { socketPath, path: url } : url, (res) => {
      res.resume();
      resolve(res.statusCode !== undefined && res.statusCode < 500);
    });
    req.on('error', () => resolve(false));
    req.setTimeout(1000, () => req.destroy());
    req.end();
  });
}

/**
 * A bridge of this run's own (name and /24 derived from the pid), so concurrent runs and other daemons
 * never share docker0 or a subnet. Returns its name, or undefined when we may not create one.
 */
function createBridge() {
  for (let attempt = 0; attempt < 20; attempt++) {
    const n = ((process.pid + attempt * 7919) % 200) + 20;
    const name = `hdt${n}`;
    if (spawnSync('ip', ['link', 'show', name], { stdio: 'ignore' }).status === 0) continue;
    const ok = [
      ['link', 'add', name, 'type', 'bridge'],
      ['addr', 'add', `10.213.${n}.1/24`, 'dev', name],
      ['link', 'set', name, 'up'],
    ].every((step) => spawnSync('ip', step, { stdio: 'ignore' }).status === 0);
    if (ok) return name;
    deleteBridge(name);
  }
  return undefined;
}

function deleteBridge(name) {
  if (name) spawnSync('ip', ['link', 'delete', name], { stdio: 'ignore' });
}

/** Starts dockerd on a private socket under dir. Returns { host, socket, stop() }. */
export async function startDocker(dir) {
  mkdirSync(dir, { recursive: true });
  const socket = join(dir, 'docker.sock');
  // Published ports need a bridge; fall back to no networking only if we may not create one.
  const bridgeName = createBridge();
  const bridge = bridgeName ? ['--bridge', bridgeName] : ['--bridge', 'none', '--iptables=false'];
  const child = await startDaemon(
    'dockerd',
    [
      '--host',
      `unix://${socket}`,
      '--data-root',
      join(dir, 'data'),
      '--exec-root',
      join(dir, 'exec'),
      '--pidfile',
      join(dir, 'dockerd.pid'),
      ...bridge,
      '--ip6tables=false',
    ],
    { ready: () => httpOk('/_ping', socket), timeoutMs: 60000, logFile: join(dir, 'dockerd.log') },
  ).catch((err) => {
    deleteBridge(bridgeName);
    throw err;
  });
  return {
    host: `unix://${socket}`,
    socket,
    child,
    async stop() {
      killTree(child, 'SIGTERM');
      await waitExit(child, 20000);
      deleteBridge(bridgeName);
    },
  };
}

/** Starts the CNCF distribution registry (Debian's docker-registry) on 127.0.0.1:<free port>. */
export async function startRegistry(dir) {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const config = join(dir, 'config.yml');
  writeFileSync(
    config,
    [
      'version: 0.1',
      'log: { level: warn }',
      `storage: { filesystem: { rootdirectory: ${join(dir, 'data')} }, delete: { enabled: true } }`,
      `http: { addr: 127.0.0.1:${port} }`,
      '',
    ].join('\n'),
  );
  const child = await startDaemon('docker-registry', ['serve', config], {
    ready: () => httpOk(`http://127.0.0.1:${port}/v2/`),
    timeoutMs: 30000,
    logFile: join(dir, 'registry.log'),
  });
  return {
    address: `127.0.0.1:${port}`,
    child,
    async stop() {
      killTree(child);
      await waitExit(child);
    },
  };
}

export { existsSync };

/**
 * Everything the integration tests, the benchmarks and the desktop test run need, under dir: a private
 * dockerd and a registry. Returns the environment to hand to tests (DOCKER_HOST, HELIX_TEST_REGISTRY,
 * HELIX_TEST_TMP) and stop(), which stops both.
 */
export async function startServices(dir) {
  const docker = await startDocker(join(dir, 'docker'));
  let registry;
  try {
    registry = await startRegistry(join(dir, 'registry'));
  } catch (err) {
    await docker.stop();
    throw err;
  }
  const work = join(dir, 'work');
  mkdirSync(work, { recursive: true });
  return {
    docker,
    registry,
    env: { DOCKER_HOST: docker.host, HELIX_TEST_REGISTRY: registry.address, HELIX_TEST_TMP: work },
    async stop() {
      await registry.stop();
      await docker.stop();
    },
  };
}
