// Small process helpers for the project's scripts. Always argument arrays, never a shell string.
import { spawn, spawnSync } from 'node:child_process';

/** Runs a command to completion, streaming its output; throws with the command line on failure. */
export function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: opts.quiet ? 'pipe' : 'inherit', encoding: 'utf8', ...opts });
  if (r.error) throw new Error(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) {
    const tail = opts.quiet ? `\n${(r.stdout ?? '').slice(-2000)}${(r.stderr ?? '').slice(-2000)}` : '';
    throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}${tail}`);
  }
  return r.stdout ?? '';
}

/** True when `cmd` is on PATH. */
export function has(cmd) {
  return spawnSync('sh', ['-c', 'command -v "$1"', 'sh', cmd], { stdio: 'ignore' }).status === 0;
}

/** Starts a long-running process; resolves once `ready()` returns true (polled), rejects on early exit or timeout. */
export async function startDaemon(cmd, args, { ready, timeoutMs = 30000, logFile, env } = {}) {
  const fs = await import('node:fs');
  const out = logFile ? fs.openSync(logFile, 'a') : 'ignore';
  const child = spawn(cmd, args, { stdio: ['ignore', out, out], detached: true, env: env ?? process.env });
  let exited = null;
  child.on('exit', (code, sig) => (exited = { code, sig }));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${cmd} exited early (${exited.code ?? exited.sig}); see ${logFile ?? 'its output'}`);
    try {
      if (await ready()) return child;
    } catch {
      /* not ready yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  killTree(child);
  throw new Error(`${cmd} did not become ready within ${timeoutMs} ms; see ${logFile ?? 'its output'}`);
}

/** Kills a detached child and its process group. */
export function killTree(child, signal = 'SIGTERM') {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      /* already gone */
    }
  }
}

export function waitExit(child, timeoutMs = 10000) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      killTree(child, 'SIGKILL');
      resolve();
    }, timeoutMs);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
  });
}
