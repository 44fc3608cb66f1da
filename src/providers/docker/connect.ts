import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// Where the engine is, in the order the docker CLI resolves it: an explicit setting, DOCKER_HOST,
// the current Docker context, then the default socket. Podman (container_runtime = "podman") uses
// its Docker-compatible socket.

export interface Endpoint {
  /** unix socket path, or undefined for tcp. */
  socketPath?: string;
  host?: string;
  port?: number;
  protocol?: 'http' | 'https';
  /** Human-readable: "unix:///var/run/docker.sock". */
  url: string;
  /** How it was chosen, for messages. */
  source: 'setting' | 'DOCKER_HOST' | 'context' | 'podman' | 'default';
}

export interface ResolveOptions {
  /** `helixDeploy.docker.host` setting. */
  host?: string;
  runtime?: 'docker' | 'podman';
  env?: NodeJS.ProcessEnv;
  home?: string;
}

export function parseHost(url: string, source: Endpoint['source']): Endpoint {
  if (url.startsWith('unix://')) return { socketPath: url.slice('unix://'.length), url, source };
  if (url.startsWith('npipe://')) return { socketPath: url.slice('npipe://'.length).replace(/\//g, '\\'), url, source };
  const m = /^(tcp|http|https):\/\/([^:/]+)(?::(\d+))?/.exec(url);
  if (m) {
    const tls = m[1] === 'https';
    return { host: m[2], port: Number(m[3] ?? (tls ? 2376 : 2375)), protocol: tls ? 'https' : 'http', url, source };
  }
  if (url.startsWith('/')) return { socketPath: url, url: `unix://${url}`, source };
  throw new Error(`Unsupported engine address "${url}": use unix:///path/to/docker.sock or tcp://host:port`);
}

function contextHost(home: string, env: NodeJS.ProcessEnv): string | undefined {
  const dir = env.DOCKER_CONFIG ?? path.join(home, '.docker');
  let name = env.DOCKER_CONTEXT;
  if (!name) {
    try {
      name = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')).currentContext;
    } catch {
      return undefined;
    }
  }
  if (!name || name === 'default') return undefined;
  try {
    const id = crypto.createHash('sha256').update(name).digest('hex');
    const meta = JSON.parse(fs.readFileSync(path.join(dir, 'contexts', 'meta', id, 'meta.json'), 'utf8'));
    return meta?.Endpoints?.docker?.Host;
  } catch {
    return undefined;
  }
}

function podmanSocket(env: NodeJS.ProcessEnv): string {
  const candidates = [
    env.XDG_RUNTIME_DIR && path.join(env.XDG_RUNTIME_DIR, 'podman', 'podman.sock'),
    typeof process.getuid === 'function' ? `/run/user/${process.getuid()}/podman/podman.sock` : undefined,
    '/run/podman/podman.sock',
  ].filter((p): p is string => !!p);
  return candidates.find((p) => fs.existsSync(p)) ?? candidates[0];
}

export function resolveEndpoint(opts: ResolveOptions = {}): Endpoint {
  const env = opts.env ?? process.env;
  if (opts.host) return parseHost(opts.host, 'setting');
  if (opts.runtime === 'podman') {
    if (env.CONTAINER_HOST) return parseHost(env.CONTAINER_HOST, 'podman');
    return parseHost(`unix://${podmanSocket(env)}`, 'podman');
  }
  if (env.DOCKER_HOST) return parseHost(env.DOCKER_HOST, 'DOCKER_HOST');
  const ctx = contextHost(opts.home ?? os.homedir(), env);
  if (ctx) return parseHost(ctx, 'context');
  return process.platform === 'win32'
    ? parseHost('npipe:////./pipe/docker_engine', 'default')
    : parseHost('unix:///var/run/docker.sock', 'default');
}
