import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BuildRequest } from '../../core/local/engine';
import { LocalError } from '../../core/local/errors';
import { assertTrusted } from '../../core/trust/gate';
import type { Endpoint } from './connect';
import { BuildKitProgress } from './buildkit-progress';

// A BuildKit build needs a client that serves the build context over a session (gRPC on the engine's
// /session endpoint); the docker CLI is that client. Usable ones, best first: `docker buildx` (any docker
// CLI with the buildx plugin, JSON progress when it has `rawjson`), then a docker CLI before 23.0, whose
// `docker build` has BuildKit built in (DOCKER_BUILDKIT=1). Docker 23+ without buildx has none.

export interface BuildKitClient {
  /** Path of the docker executable. */
  cli: string;
  kind: 'buildx' | 'classic';
  /** docker CLI version ("20.10.24"), or buildx's ("v0.14.1") for kind buildx. */
  version: string;
  progress: 'rawjson' | 'plain';
}

export interface BuildKitSearch {
  client?: BuildKitClient;
  /** What was found and why it cannot build with BuildKit, for the message when nothing can. */
  rejected: string[];
}

// Where Docker Desktop and Homebrew put the CLI: an editor started from the macOS Dock has a PATH without them.
const WELL_KNOWN = ['/usr/local/bin', '/opt/homebrew/bin', '/Applications/Docker.app/Contents/Resources/bin'];

/** Every `docker` executable on PATH (then the well-known places), in that order, each real file once. */
export function dockerClisOnPath(env: NodeJS.ProcessEnv = process.env): string[] {
  const names = process.platform === 'win32' ? ['docker.exe'] : ['docker'];
  const out: string[] = [];
  const seen = new Set<string>();
  const dirs = [...(env.PATH ?? '').split(path.delimiter), ...(process.platform === 'win32' ? [] : WELL_KNOWN)];
  for (const dir of dirs) {
    // A relative entry (".", "node_modules/.bin") would run whatever the workspace puts there.
    if (!path.isAbsolute(dir)) continue;
    for (const n of names) {
      const p = path.join(dir, n);
      try {
        fs.accessSync(p, fs.constants.X_OK);
        const real = fs.realpathSync(p);
        if (seen.has(real) || !fs.statSync(real).isFile()) continue;
        seen.add(real);
        out.push(p);
      } catch {
        /* not there */
      }
    }
  }
  return out;
}

function run(cli: string, args: string[], timeoutMs = 15_000): Promise<{ code: number; out: string }> {
  assertTrusted(`spawn ${cli}`);
  return new Promise((resolve) => {
    execFile(
      cli,
      args,
      { timeout: timeoutMs, env: { ...process.env, DOCKER_CLI_HINTS: 'false' } },
      (err, stdout, stderr) => {
        const code = (err as { code?: unknown } | null)?.code;
        resolve({ code: !err ? 0 : typeof code === 'number' ? code : -1, out: `${stdout}${stderr}` });
      },
    );
  });
}

/** Probes the candidates (default: every docker on PATH): the first with buildx wins, else the first classic one. */
export async function findBuildKitClient(candidates: string[] = dockerClisOnPath()): Promise<BuildKitSearch> {
  const rejected: string[] = [];
  let classic: BuildKitClient | undefined;
  for (const cli of candidates) {
    const bx = await run(cli, ['buildx', 'version']);
    const bxVersion = /\b(v\d+\.\d+\.\d+\S*)/.exec(bx.out)?.[1];
    if (bx.code === 0 && bxVersion) {
      const help = await run(cli, ['buildx', 'build', '--help']);
      return {
        client: { cli, kind: 'buildx', version: bxVersion, progress: /rawjson/.test(help.out) ? 'rawjson' : 'plain' },
        rejected,
      };
    }
    const v = await run(cli, ['--version']);
    const m = /^Docker version (\d+)\.(\d+)\.(\d+)/m.exec(v.out);
    if (!m) {
      rejected.push(`${cli} (not a docker CLI: ${v.out.trim().split('\n')[0] || `exit ${v.code}`})`);
      continue;
    }
    const version = `${m[1]}.${m[2]}.${m[3]}`;
    if (Number(m[1]) < 23) classic ??= { cli, kind: 'classic', version, progress: 'plain' };
    else
      rejected.push(
        `${cli} (docker ${version}, which builds with BuildKit only through the buildx plugin, not installed)`,
      );
  }
  return { client: classic, rejected };
}

export function describeClient(c: BuildKitClient): string {
  return c.kind === 'buildx'
    ? `docker buildx ${c.version} (${c.cli})`
    : `docker ${c.version} with DOCKER_BUILDKIT=1 (${c.cli})`;
}

/**
 * The client's command line and environment for `req` against the engine at `ep`. Build-arg values travel
 * in the child's environment (`--build-arg NAME`), not on its command line where any process listing shows
 * them; only names the CLI itself reads (PATH, DOCKER_*, ...) go as NAME=value.
 */
export function cliInvocation(
  client: BuildKitClient,
  ep: Endpoint,
  req: BuildRequest,
  iidfile: string,
  baseEnv: NodeJS.ProcessEnv = process.env,
): { args: string[]; env: NodeJS.ProcessEnv } {
  const env: NodeJS.ProcessEnv = { ...baseEnv, DOCKER_BUILDKIT: '1', DOCKER_CLI_HINTS: 'false' };
  // A context endpoint keeps its TLS settings when the CLI resolves the same context itself.
  if (ep.source !== 'context') {
    // The CLI takes tcp:// (TLS from the user's DOCKER_TLS_* / DOCKER_CERT_PATH), not http(s)://.
    env.DOCKER_HOST = ep.socketPath ? ep.url : `tcp://${ep.host}:${ep.port}`;
    delete env.DOCKER_CONTEXT;
  }
  // --load: a buildx builder of the docker driver loads anyway; another driver would keep the image to itself.
  const args = client.kind === 'buildx' ? ['buildx', 'build', '--load'] : ['build'];
  args.push(
    `--progress=${client.progress}`,
    '--iidfile',
    iidfile,
    '-t',
    req.tag,
    '-f',
    path.join(req.context, req.dockerfile ?? 'Dockerfile'),
  );
  for (const [k, v] of Object.entries(req.buildArgs ?? {})) {
    if (/^(PATH|HOME|TMPDIR|DOCKER_\w*|BUILDKIT_\w*|BUILDX_\w*)$/i.test(k) || !/^[A-Za-z_]\w*$/.test(k)) {
      args.push('--build-arg', `${k}=${v}`);
    } else {
      env[k] = v;
      args.push('--build-arg', k);
    }
  }
  for (const [k, v] of Object.entries(req.labels ?? {})) args.push('--label', `${k}=${v}`);
  if (req.noCache) args.push('--no-cache');
  args.push(req.context);
  return { args, env };
}

/** Builds `req` with the client against the engine at `ep`; resolves with the image id (from --iidfile). */
export async function buildWithClient(
  client: BuildKitClient,
  ep: Endpoint,
  req: BuildRequest,
): Promise<{ imageId?: string }> {
  assertTrusted(`spawn ${client.cli}`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'helix-build-'));
  const iidfile = path.join(tmp, 'iid');
  const { args, env } = cliInvocation(client, ep, req, iidfile);
  const progress = new BuildKitProgress((l) => req.onLine?.(l));
  try {
    const code = await new Promise<number | 'cancelled'>((resolve, reject) => {
      if (req.signal?.aborted) return resolve('cancelled');
      const child = spawn(client.cli, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let cancelled = false;
      let killTimer: NodeJS.Timeout | undefined;
      const onAbort = () => {
        cancelled = true;
        // The CLI cancels the build on the engine on SIGINT (as Ctrl-C); a CLI that hangs is killed.
        child.kill('SIGINT');
        killTimer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      };
      req.signal?.addEventListener('abort', onAbort, { once: true });
      const lines = (stream: NodeJS.ReadableStream) => {
        let rest = '';
        stream.setEncoding('utf8');
        stream.on('data', (d: string) => {
          const parts = (rest + d).split('\n');
          rest = parts.pop() ?? '';
          for (const p of parts) progress.line(p);
        });
        stream.on('end', () => rest && progress.line(rest));
      };
      lines(child.stdout!);
      lines(child.stderr!);
      child.on('error', (err) => {
        req.signal?.removeEventListener('abort', onAbort);
        reject(new LocalError('build-failed', `Could not run ${client.cli}: ${err.message}`, { image: req.tag }));
      });
      child.on('close', (c) => {
        req.signal?.removeEventListener('abort', onAbort);
        if (killTimer) clearTimeout(killTimer);
        resolve(cancelled ? 'cancelled' : (c ?? -1));
      });
    });
    if (code === 'cancelled') throw new LocalError('cancelled', 'Build cancelled.');
    if (code !== 0) {
      const step = progress.failedStep;
      throw new LocalError(
        'build-failed',
        `Build failed${step ? ` at ${step}` : ''}: ${progress.error ?? `${client.cli} exited with ${code}`}`,
        { failedStep: step, image: req.tag },
      );
    }
    let imageId: string | undefined;
    try {
      imageId = fs.readFileSync(iidfile, 'utf8').trim() || undefined;
    } catch {
      imageId = undefined;
    }
    return { imageId };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
