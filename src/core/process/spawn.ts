import { HelixError } from '../errors';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { assertTrusted } from '../trust/gate';
import { readToolStatus, toolFiles, WRAPPER_SOURCE, writeStartingStatus } from './survivor';

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
  /**
   * Make the tool outlive this process (see ./survivor.ts): it runs under a detached wrapper, its output goes
   * to `<outputBase>.out.log` / `.err.log` (tailed here, lines as usual) and its exit to `<outputBase>.exit.json`.
   * The files stay after the process ends: whoever records the run's outcome removes them.
   */
  outputBase?: string;
}

export interface SpawnResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The abort signal fired while the process ran. */
  cancelled: boolean;
}

export class ToolNotFoundError extends HelixError {
  constructor(readonly command: string) {
    super('tool-missing', `${command}: executable not found`);
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
  // Refused before any process exists: callers that forgot the trust check still run nothing.
  try {
    assertTrusted(`spawn ${command}`);
  } catch (err) {
    return Promise.reject(err);
  }
  if (opts.outputBase !== undefined && process.platform !== 'win32')
    return runSurviving(command, args, opts, opts.outputBase);
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

/** Tails a file from its start; `poll()` delivers what was appended since the last call. */
function tail(file: string, onText: (text: string) => void): { poll(): void; close(): void } {
  const fd = fs.openSync(file, 'r');
  const decoder = new StringDecoder('utf8');
  const buf = Buffer.alloc(64 * 1024);
  let pos = 0;
  return {
    poll() {
      for (;;) {
        const n = fs.readSync(fd, buf, 0, buf.length, pos);
        if (n <= 0) return;
        pos += n;
        onText(decoder.write(buf.subarray(0, n)));
      }
    },
    close() {
      const rest = decoder.end();
      if (rest) onText(rest);
      fs.closeSync(fd);
    },
  };
}

function runSurviving(
  command: string,
  args: readonly string[],
  opts: SpawnOptions,
  base: string,
): Promise<SpawnResult> {
  return new Promise((resolve, reject) => {
    const files = toolFiles(base);
    let child: ChildProcess;
    let out: ReturnType<typeof tail>;
    let err: ReturnType<typeof tail>;
    let stdout = '';
    let stderr = '';
    const collect = opts.collect !== false;
    const outLines = lineSplitter((l) => opts.onStdout?.(l));
    const errLines = lineSplitter((l) => opts.onStderr?.(l));
    try {
      fs.mkdirSync(path.dirname(base), { recursive: true, mode: 0o700 });
      // Replaces the status of an earlier process of the same run: from here on it describes this one.
      const startedAt = new Date().toISOString();
      writeStartingStatus(base, { command: args[0] ?? '', startedAt });
      const outFd = fs.openSync(files.out, 'w', 0o600);
      const errFd = fs.openSync(files.err, 'w', 0o600);
      const env = { ...(opts.env ?? process.env) };
      // In an editor process.execPath is Electron: make it behave as node (and drop the flag for the tool).
      const strip = env.ELECTRON_RUN_AS_NODE === undefined;
      if (strip) env.ELECTRON_RUN_AS_NODE = '1';
      try {
        child = spawn(
          process.execPath,
          ['-e', WRAPPER_SOURCE, '--', files.status, strip ? '1' : '0', command, ...args],
          {
            cwd: opts.cwd,
            env,
            shell: false,
            stdio: [opts.input !== undefined ? 'pipe' : 'ignore', outFd, errFd, 'ipc'],
            detached: true,
          },
        );
      } finally {
        fs.closeSync(outFd); // the wrapper (and the tool) hold their own copies
        fs.closeSync(errFd);
      }
      if (child.pid !== undefined) writeStartingStatus(base, { wrapper: child.pid, command: args[0] ?? '', startedAt });
      out = tail(files.out, (d) => {
        if (collect) stdout += d;
        outLines.push(d);
      });
      err = tail(files.err, (d) => {
        stderr += d;
        errLines.push(d);
      });
    } catch (e) {
      reject(e);
      return;
    }
    let cancelled = false;
    let startError: string | undefined;
    const timers: NodeJS.Timeout[] = [];
    const poll = setInterval(() => {
      try {
        out.poll();
        err.poll();
      } catch {
        /* read again on the next tick */
      }
    }, 50);
    // Signals wait until the wrapper reported the tool started: before that it may not handle them yet.
    let ready = false;
    const queued: NodeJS.Signals[] = [];
    child.on('message', (m: { pid?: number; error?: string }) => {
      if (typeof m?.pid === 'number') {
        ready = true;
        opts.onSpawn?.(m.pid);
        for (const sig of queued.splice(0)) signalWrapper(sig);
      }
      if (m?.error) startError = m.error;
    });
    if (opts.input !== undefined) {
      child.stdin!.on('error', () => undefined); // the tool may exit without reading
      child.stdin!.end(opts.input);
    }
    const signalWrapper = (sig: NodeJS.Signals) => {
      if (!ready && sig !== 'SIGKILL') return void queued.push(sig);
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
      try {
        // SIGINT/SIGTERM go to the wrapper, which forwards them to the tool only (terraform stops its
        // providers itself); SIGKILL cannot be forwarded: it goes to the wrapper's whole process group.
        process.kill(sig === 'SIGKILL' ? -child.pid : child.pid, sig);
      } catch {
        /* already gone */
      }
    };
    const onAbort = () => {
      if (cancelled) return;
      cancelled = true;
      signalWrapper('SIGINT');
      const grace = opts.killAfterMs ?? 60_000;
      timers.push(setTimeout(() => signalWrapper('SIGTERM'), grace));
      timers.push(setTimeout(() => signalWrapper('SIGKILL'), grace + 5_000));
    };
    if (opts.signal) {
      if (opts.signal.aborted) onAbort();
      else opts.signal.addEventListener('abort', onAbort, { once: true });
    }
    let settled = false;
    const done = () => {
      settled = true;
      clearInterval(poll);
      timers.forEach(clearTimeout);
      opts.signal?.removeEventListener('abort', onAbort);
    };
    child.on('error', (e) => {
      if (settled) return;
      done();
      out.close();
      err.close();
      reject(e);
    });
    child.on('exit', (wrapperCode, wrapperSignal) => {
      if (settled) return;
      done();
      try {
        out.poll();
        err.poll();
      } catch {
        /* what was read is what there is */
      }
      out.close();
      err.close();
      outLines.end();
      errLines.end();
      const status = readToolStatus(base);
      const error = status?.error ?? startError;
      if (error) {
        reject(
          error === 'ENOENT'
            ? new ToolNotFoundError(command)
            : Object.assign(new Error(`${command}: ${error}`), { code: error }),
        );
        return;
      }
      // Without a final status the wrapper itself was killed (SIGKILL escalation): report that.
      const ended = status && (status.code !== undefined || status.signal !== undefined);
      resolve({
        code: ended ? (status.code ?? null) : wrapperSignal ? null : wrapperCode,
        signal: ended ? (status.signal ?? null) : wrapperSignal,
        stdout,
        stderr,
        cancelled,
      });
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
