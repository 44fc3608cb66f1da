// Installs the Debian packages the bench needs, once. Root on this machine kind; apt-get update first.
import { has, run } from './run.mjs';
import { existsSync } from 'node:fs';

const NEEDED = [
  // [probe, package]
  ['dockerd', 'docker.io'],
  ['docker-registry', 'docker-registry'],
  ['/bin/busybox', 'busybox-static'],
  ['rg', 'ripgrep'],
  ['chromium', 'chromium'],
  ['htpasswd', 'apache2-utils'],
  ['openssl', 'openssl'],
  ['pkg-config', 'pkg-config'],
  ['/usr/include/krb5.h', 'libkrb5-dev'],
  ['/usr/include/X11/Xlib.h', 'libx11-dev'],
  ['/usr/include/X11/extensions/XKBfile.h', 'libxkbfile-dev'],
  ['/usr/include/libsecret-1/libsecret/secret.h', 'libsecret-1-dev'],
];

export function ensureAptPackages(log = console.log) {
  const missing = NEEDED.filter(([probe]) => (probe.startsWith('/') ? !existsSync(probe) : !has(probe))).map(
    ([, p]) => p,
  );
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new Error(
      `Missing Debian packages: ${missing.join(' ')}. Install them with: sudo apt-get install -y ${missing.join(' ')}`,
    );
  }
  log(`Installing Debian packages: ${missing.join(' ')}`);
  run('apt-get', ['update', '-qq']);
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}
