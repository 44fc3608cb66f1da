import * as fs from 'node:fs';
import { isRestrictedModeError } from '../../core/trust/gate';
import { LocalError } from '../../core/local/errors';
import type { Endpoint } from './connect';

// Turns dockerode / socket errors into LocalErrors with words a person can act on.

export function engineUnreachable(err: NodeJS.ErrnoException, ep: Endpoint): LocalError | undefined {
  const where = ep.url;
  switch (err.code) {
    case 'ENOENT':
      if (ep.socketPath && !fs.existsSync(ep.socketPath))
        return new LocalError(
          'no-engine',
          `No container engine at ${where}: Docker is not running or not installed. Start Docker (or Podman) and try again.`,
          { endpoint: where },
        );
      return new LocalError('daemon-stopped', `Docker is not running at ${where}. Start Docker and try again.`, {
        endpoint: where,
      });
    case 'ECONNREFUSED':
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ENOTSOCK':
      return new LocalError(
        'daemon-stopped',
        `Docker is not running at ${where} (connection refused). Start Docker and try again.`,
        { endpoint: where },
      );
    case 'EACCES':
    case 'EPERM':
      return new LocalError(
        'permission-denied',
        `Permission denied on ${where}. Add your user to the "docker" group (sudo usermod -aG docker $USER, then log in again), or point helixDeploy.docker.host at a socket you can use.`,
        { endpoint: where },
      );
  }
  return undefined;
}

/** Maps any error from a dockerode call. `context` says what we were doing ("start helix-demo-dev"). */
export function mapError(err: unknown, ep: Endpoint, context: string): Error {
  if (err instanceof LocalError || isRestrictedModeError(err)) return err;
  const e = err as NodeJS.ErrnoException & { statusCode?: number; json?: { message?: string }; reason?: string };
  const down = engineUnreachable(e, ep);
  if (down) return down;
  const msg = (e.json?.message ?? (typeof e.json === 'string' ? e.json : undefined) ?? e.message ?? String(err)).trim();
  if (/port is already allocated|address already in use|bind: .*in use/i.test(msg)) {
    const port = Number(
      /:(\d+)(?:\D*)?(?:failed|: bind| is already)/.exec(msg)?.[1] ??
        /0\.0\.0\.0:(\d+)|127\.0\.0\.1:(\d+)/.exec(msg)?.slice(1).find(Boolean),
    );
    return new LocalError(
      'port-in-use',
      `Port ${port || ''} is already in use (${context}).`.replace('Port  ', 'The port '),
      { port: port || undefined },
    );
  }
  if (e.statusCode === 404 && /no such image|not found|pull access denied/i.test(msg)) {
    const image = /(?:no such image|image):?\s*([^\s:]+(?::[^\s]+)?)/i.exec(msg)?.[1];
    return new LocalError(
      'image-missing',
      `Image not found${image ? ` (${image})` : ''}: build it first (${context}).`,
      { image },
    );
  }
  return new LocalError('engine-error', `${context}: ${msg}`);
}
