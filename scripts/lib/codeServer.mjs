// Installs code-server (VS Code server + web client) into a cache folder, offline-friendly.
// The recipe: npm install without scripts, then rebuild natives,
// with ripgrep from Debian because its postinstall downloads from the internet.
import { existsSync, mkdirSync, writeFileSync, copyFileSync, symlinkSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { run } from './run.mjs';

export const CODE_SERVER_VERSION = '4.100.3'; // last release for Node 20
export const cacheRoot = process.env.HELIX_DEPLOY_CACHE ?? join(homedir(), '.cache', 'helix-deploy');
export const codeServerDir = join(cacheRoot, `code-server-${CODE_SERVER_VERSION}`);
export const codeServerBin = join(codeServerDir, 'node_modules', '.bin', 'code-server');
const doneMarker = join(codeServerDir, '.installed');

export function ensureCodeServer(log = console.log) {
  if (existsSync(doneMarker)) return codeServerBin;
  log(`Installing code-server ${CODE_SERVER_VERSION} into ${codeServerDir} (one time, about 3-5 minutes)...`);
  rmSync(codeServerDir, { recursive: true, force: true });
  mkdirSync(codeServerDir, { recursive: true });
  writeFileSync(join(codeServerDir, 'package.json'), JSON.stringify({ name: 'hd-code-server', private: true }));
  const npmq = ['--no-audit', '--no-fund', '--loglevel=error'];
  run('npm', ['install', ...npmq, '--ignore-scripts', `code-server@${CODE_SERVER_VERSION}`], { cwd: codeServerDir });
  run('npm', ['rebuild', 'argon2'], { cwd: codeServerDir });
  const vs = join(codeServerDir, 'node_modules', 'code-server', 'lib', 'vscode');
  run('npm', ['install', ...npmq, '--omit=dev', '--ignore-scripts'], { cwd: vs });
  const rgDir = join(vs, 'node_modules', '@vscode', 'ripgrep', 'bin');
  mkdirSync(rgDir, { recursive: true });
  copyFileSync('/usr/bin/rg', join(rgDir, 'rg'));
  run('npm', ['rebuild', '--loglevel=error'], { cwd: vs, env: { ...process.env, npm_config_yes: 'true' } });
  if (!existsSync(join(vs, 'node_modules.asar'))) symlinkSync('node_modules', join(vs, 'node_modules.asar'));
  run('npm', ['install', ...npmq, '--omit=dev'], { cwd: join(vs, 'extensions') });
  writeFileSync(doneMarker, new Date().toISOString());
  return codeServerBin;
}

if (import.meta.url === `file://${process.argv[1]}`) ensureCodeServer();
