import { spawn, type ChildProcess } from 'node:child_process';

// The one way core/providers start outside programs: argument arrays only (never a shell string),
// stdout/stderr split into lines as they arrive, and cancellation as an interrupt followed by a wait.

export interface SpawnOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Called with each complete stdout line (without the newline). */
  onStdout?: (line: string) => void;
  onStderr?: (line: string) => void;
  /** Cancellation: when aborted, the process gets SIGINT, then SIGTERM after `killAfterMs`, then SIGKILL. */
  signal?: AbortSignal;
  /** Grace period after SIGINT before escalating (default 60 s: terraform needs time to stop cleanly). */
  killAfterMs?: number;
  /** Collect stdout into the result (default true). Turn off for huge outputs streamed via onStdout. */
  collect?: boolean;
  /** Data for stdin (closed afterwards). */
  input?: string;
  /** Called once the process started (the engine records the pid to report orphans after a crash). */
  onSpawn?: (pid: number) => void;
}

export interface SpawnResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The abort signal fired while the process ran. */
  cancelled: boolean;
}

export class ToolNotFoundError extends Error {
  constructor(readonly command: string) {
    super(`${command}: executable not found`);
  }
}

/** Splits a byte stream into lines; keeps a partial last line until more data or end. */
function lineSplitter(onLine: (line: string) => void): { push(chunk: string): void; end(): void } {
  let rest = '';
  return {
    push(chunk) {
      const text = rest + chunk;
      const parts = text.split('\n');
      rest = parts.pop() ?? '';
      for (const p of parts) onLine(p.endsWith('\r') ? p.slice(0, -1) : p);
    },
    end() {
      if (rest) onLine(rest);
      rest = '';
    },
  };
}

export function run(command: string, args: readonly string[], opts: SpawnOptions = {}): Promise<SpawnResult> {
  return new Promise((resolve, reject) => {
    let child: ChildProcess;
    try {
      child = spawn(command, args as string[], {
        cwd: opts.cwd,
        env: opts.env ?? process.env,
        shell: false,
        stdio: [opts.input !== undefined ? 'pipe' : 'ignore', 'pipe', 'pipe'],
        // Own process group so an interrupt reaches only this tool and its children.
        detached: process.platform !== 'win32',
      });
    } catch (err) {
      reject(err);
      return;
    }
    if (child.pid !== undefined) opts.onSpawn?.(child.pid);
    const collect = opts.collect !== false;
    let stdout = '';
    let stderr = '';
    let cancelled = false;
    const timers: NodeJS.Timeout[] = [];
    const out = lineSplitter((l) => opts.onStdout?.(l));
    const err = lineSplitter((l) => opts.onStderr?.(l));
    child.stdout!.setEncoding('utf8');
    child.stderr!.setEncoding('utf8');
    child.stdout!.on('data', (d: string) => {
      if (collect) stdout += d;
      out.push(d);
    });
    child.stderr!.on('data', (d: string) => {
      stderr += d;
      err.push(d);
    });
    if (opts.input !== undefined) child.stdin!.end(opts.input);

    const onAbort = () => {
      if (cancelled || child.exitCode !== null) return;
      cancelled = true;
      // SIGINT is what terraform/pulumi handle as "stop gracefully" (like Ctrl-C in a terminal).
      kill(child, 'SIGINT');
      const grace = opts.killAfterMs ?? 60_000;
      timers.push(setTimeout(() => kill(child, 'SIGTERM'), grace));
      timers.push(setTimeout(() => kill(child, 'SIGKILL'), grace + 5_000));
    };
    if (opts.signal) {
      if (opts.signal.aborted) onAbort();
      else opts.signal.addEventListener('abort', onAbort, { once: true });
    }

    child.on('error', (e: NodeJS.ErrnoException) => {
      timers.forEach(clearTimeout);
      opts.signal?.removeEventListener('abort', onAbort);
      reject(e.code === 'ENOENT' ? new ToolNotFoundError(command) : e);
    });
    child.on('close', (code, signal) => {
      timers.forEach(clearTimeout);
      opts.signal?.removeEventListener('abort', onAbort);
      out.end();
      err.end();
      resolve({ code, signal, stdout, stderr, cancelled });
    });
  });
}

function kill(child: ChildProcess, sig: NodeJS.Signals): void {
  if (child.exitCode !== null || child.pid === undefined) return;
  try {
    // Only the direct child: terraform forwards the interrupt to its providers itself.
    process.kill(child.pid, sig);
  } catch {
    /* already gone */
  }
}
