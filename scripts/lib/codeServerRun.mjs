// Starts code-server for tests or for `npm start`, and opens its workbench in headless Chromium.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'node:http';
import { ensureCodeServer } from './codeServer.mjs';
import { startDaemon, killTree, waitExit } from './run.mjs';
import { freePort } from './services.mjs';

function ok(url) {
  return new Promise((resolve) => {
    const req = request(url, (res) => {
      res.resume();
      resolve(res.statusCode < 500);
    });
    req.on('error', () => resolve(false));
    req.setTimeout(1000, () => req.destroy());
    req.end();
  });
}

/**
 * dir gets user-data, extensions and config. extraArgs are appended (e.g. the folder to open).
 * Returns { url, port, extensionsDir, userDataDir, stop() }.
 */
export async function startCodeServer(
  dir,
  { env, extraArgs = [], port, settings = {}, log = console.log, workspaceTrust = false } = {},
) {
  const bin = ensureCodeServer(log);
  const userDataDir = join(dir, 'user-data');
  const extensionsDir = join(dir, 'extensions');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  writeFileSync(
    join(userDataDir, 'User', 'settings.json'),
    JSON.stringify(
      {
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'telemetry.telemetryLevel': 'off',
        'extensions.autoCheckUpdates': false,
        'extensions.autoUpdate': false,
        // Trust off by default (the tests open throw-away copies); on for the Restricted Mode tests.
        'security.workspace.trust.enabled': workspaceTrust,
        'security.workspace.trust.startupPrompt': 'never',
        'chat.disableAIFeatures': true,
        'workbench.welcomePage.walkthroughs.openOnInstall': false,
        ...settings,
      },
      null,
      2,
    ),
  );
  const config = join(dir, 'config.yaml');
  writeFileSync(config, 'auth: none\ncert: false\n');
  port ??= await freePort();
  const args = [
    '--config',
    config,
    '--auth',
    'none',
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    ...(workspaceTrust ? [] : ['--disable-workspace-trust']),
    '--disable-getting-started-override',
    '--user-data-dir',
    userDataDir,
    '--extensions-dir',
    extensionsDir,
    ...extraArgs,
  ];
  const url = `http://127.0.0.1:${port}`;
  const child = await startDaemon(bin, args, {
    ready: () => ok(`${url}/healthz`),
    timeoutMs: 60000,
    logFile: join(dir, 'code-server.log'),
    env,
  });
  return {
    url,
    port,
    extensionsDir,
    userDataDir,
    bin,
    child,
    async stop() {
      killTree(child);
      await waitExit(child, 15000);
    },
  };
}

/** Installs a .vsix into a code-server extensions dir, as a user would. */
export async function installVsix(bin, extensionsDir, userDataDir, vsix) {
  const { run } = await import('./run.mjs');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  run(bin, ['--extensions-dir', extensionsDir, '--user-data-dir', userDataDir, '--install-extension', vsix], {
    quiet: true,
  });
}

/** Chromium's flags for a headless run here (no sandbox as root, no GPU, nothing from the network); one list for all. */
export const chromiumArgs = JSON.parse(readFileSync(new URL('./chromium-args.json', import.meta.url), 'utf8'));
