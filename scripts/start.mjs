// `npm start`: installs what is missing, builds and packages the extension, starts a private Docker
// engine (unless one is already reachable) and code-server on 127.0.0.1 with the extension installed
// and examples/ open, then prints the URL. Ctrl+C stops everything it started.
import { copyFileSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { ensureAptPackages } from './lib/apt.mjs';
import { ensureCodeServer, cacheRoot } from './lib/codeServer.mjs';
import { startCodeServer, installVsix } from './lib/codeServerRun.mjs';
import { startDocker } from './lib/services.mjs';
import { run } from './lib/run.mjs';

const root = new URL('..', import.meta.url).pathname.replace(/\/$/, '');
const port = Number(process.env.HELIX_DEPLOY_PORT ?? 8733);
const log = (m) => console.log(`\x1b[36m[start]\x1b[0m ${m}`);
const stoppers = [];

async function stopAll() {
  for (const s of stoppers.splice(0).reverse()) await s().catch(() => {});
}
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'])
  process.once(sig, async () => {
    log('stopping');
    await stopAll();
    process.exit(0);
  });

function dockerReachable(env) {
  return (
    spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], { env, stdio: 'ignore', timeout: 5000 })
      .status === 0
  );
}

try {
  ensureAptPackages(log);
  const lock = join(root, 'package-lock.json');
  const marker = join(root, 'node_modules', '.package-lock.json');
  if (!existsSync(marker) || statSync(marker).mtimeMs < statSync(lock).mtimeMs) {
    log('installing npm dependencies');
    run('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root });
  }
  log('building and packaging the extension');
  run('node', ['scripts/build.mjs', '--production'], { cwd: root });
  const state = join(cacheRoot, 'start');
  mkdirSync(state, { recursive: true });
  const vsix = join(state, 'helix-deploy.vsix');
  run(join(root, 'node_modules/.bin/vsce'), ['package', '--no-dependencies', '--out', vsix], {
    cwd: root,
    quiet: true,
  });

  // The local example builds FROM scratch with a static busybox: no image can be pulled offline.
  copyFileSync('/bin/busybox', join(root, 'examples/local-demo/busybox'));
  const env = { ...process.env };
  if (!dockerReachable(env)) {
    log('no Docker engine reachable: starting a private one for the examples');
    const docker = await startDocker(join(state, 'docker'));
    stoppers.push(() => docker.stop());
    env.DOCKER_HOST = docker.host;
  }
  const bin = ensureCodeServer(log);
  await installVsix(bin, join(state, 'code-server', 'extensions'), join(state, 'code-server', 'user-data'), vsix);
  const cs = await startCodeServer(join(state, 'code-server'), { env, port, extraArgs: [join(root, 'examples')], log });
  stoppers.push(() => cs.stop());
  console.log(`\n  Helix Deploy is running in VS Code at:  \x1b[1m${cs.url}/?folder=${join(root, 'examples')}\x1b[0m`);
  console.log(`  Docker engine: ${env.DOCKER_HOST ?? 'the default one'}   (Ctrl+C stops everything)\n`);
  await new Promise(() => {});
} catch (err) {
  console.error(`\n[start] ${err.stack ?? err.message}`);
  await stopAll();
  process.exit(1);
}
