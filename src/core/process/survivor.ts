import * as fs from 'node:fs';

// Tools that change infrastructure (terraform apply, pulumi up) must never die because we did: a CLI
// killed with SIGKILL, a CI job's SIGTERM, a closed terminal or a crashed editor. So they are not our
// direct children writing into our pipes (a dead reader means SIGPIPE mid-apply). Instead:
//   - a tiny detached wrapper (node, its source below, passed with -e: no file to ship or find) starts
//     the tool in its own session, so a terminal's Ctrl-C to our process group never reaches it directly;
//   - the tool's stdout/stderr go to files (mode 0600: unredacted tool output) that we tail;
//   - the wrapper records the tool's pid at start and its exit code/signal at the end in a status file.
// Why a wrapper and not just a detached tool writing to files: only a process's parent can learn how it
// ended. With the wrapper, a later process (a restarted CLI or editor) reads the real outcome of an
// orphaned apply from the status file instead of guessing from a log or recording a blind "Interrupted".
// Interrupts go to the wrapper, which forwards them to the tool and notes that it did (so "exit 1 after
// our SIGINT" is told apart from a failure). SIGHUP is ignored by the wrapper: it only ever comes from
// someone else (the wrapper has no terminal), and surviving is the wrapper's whole point.

export interface ToolFiles {
  out: string;
  err: string;
  /** JSON ToolStatus, replaced atomically (write + rename). */
  status: string;
}

/** What the wrapper records: `code`/`signal` appear once the tool exited. */
export interface ToolStatus {
  /** The tool's pid. */
  pid?: number;
  wrapper?: number;
  /** The tool's first argument (`apply`, `plan`, `up`, ...): never the whole command line (it may hold values). */
  command?: string;
  startedAt?: string;
  endedAt?: string;
  code?: number | null;
  signal?: NodeJS.Signals | null;
  /** The interrupt we forwarded (SIGINT/SIGTERM), when any. */
  interrupt?: NodeJS.Signals | null;
  /** The tool could not be started (ENOENT, EACCES...). */
  error?: string;
}

export function toolFiles(base: string): ToolFiles {
  return { out: `${base}.out.log`, err: `${base}.err.log`, status: `${base}.exit.json` };
}

export function readToolStatus(base: string): ToolStatus | undefined {
  try {
    const s = JSON.parse(fs.readFileSync(toolFiles(base).status, 'utf8'));
    return s && typeof s === 'object' ? (s as ToolStatus) : undefined;
  } catch {
    return undefined;
  }
}

export function toolEnded(s: ToolStatus): boolean {
  return s.error !== undefined || s.code !== undefined || s.signal !== undefined;
}

/**
 * Written by the starting process before and right after it spawns the wrapper, so that a crash at any
 * point leaves a trace: a status without pids is a tool about to start (see `toolStarting`).
 */
export function writeStartingStatus(base: string, s: ToolStatus): void {
  const file = toolFiles(base).status;
  fs.writeFileSync(`${file}.p.tmp`, JSON.stringify(s), { mode: 0o600 });
  fs.renameSync(`${file}.p.tmp`, file);
}

/** A status written just before the wrapper was spawned: it may be starting (within `ms` of startedAt). */
export function toolStarting(s: ToolStatus, now = Date.now(), ms = 10_000): boolean {
  return s.pid === undefined && s.wrapper === undefined && !toolEnded(s) && now - Date.parse(s.startedAt ?? '') < ms;
}

export async function removeToolFiles(base: string): Promise<void> {
  const f = toolFiles(base);
  await Promise.all(
    [f.out, f.err, f.status, `${f.status}.tmp`, `${f.status}.p.tmp`].map((p) =>
      fs.promises.rm(p, { force: true }).catch(() => undefined),
    ),
  );
}

/** argv after `--`: status file, "1" to drop ELECTRON_RUN_AS_NODE (we added it), command, args... */
export const WRAPPER_SOURCE = `
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const [statusFile, strip, command, ...args] = process.argv.slice(1);
const env = { ...process.env };
if (strip === '1') delete env.ELECTRON_RUN_AS_NODE;
const write = (s) => {
  try {
    fs.writeFileSync(statusFile + '.tmp', JSON.stringify(s), { mode: 0o600 });
    fs.renameSync(statusFile + '.tmp', statusFile);
  } catch {}
};
const tell = (m) => {
  try { if (process.send && process.connected) process.send(m, () => { try { process.disconnect(); } catch {} }); } catch {}
};
let interrupt = null;
let child;
process.on('SIGHUP', () => {});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { interrupt = interrupt || sig; try { if (child) child.kill(sig); } catch {} });
child = spawn(command, args, { stdio: 'inherit', env });
const base = { pid: child.pid, wrapper: process.pid, command: args[0] || '', startedAt: new Date().toISOString() };
if (child.pid !== undefined) {
  write(base);
  if (interrupt) try { child.kill(interrupt); } catch {}
  tell({ pid: child.pid });
}
child.on('error', (e) => {
  write({ ...base, error: e.code || String(e.message), endedAt: new Date().toISOString() });
  tell({ error: e.code || String(e.message) });
  setTimeout(() => process.exit(127), 50);
});
child.on('exit', (code, signal) => {
  write({ ...base, code, signal, interrupt, endedAt: new Date().toISOString() });
  process.exit(0);
});
`;
