import { CancelledError } from '../../core/errors';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { run, ToolNotFoundError } from '../../core/process/spawn';
import type { DeployContext } from '../../core/push/cloud';

// `flyctl deploy --image ...`, as the helix CLI v2 deploys a Fly instance, when flyctl is installed.
// The token goes through the environment (FLY_API_TOKEN), never the argument list.

/** The flyctl program on PATH (`flyctl`, else `fly`), or undefined. */
export async function findFlyctl(env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  for (const name of ['flyctl', 'fly']) {
    try {
      const r = await run(name, ['version'], { env, killAfterMs: 5000 });
      if (r.code === 0) return name;
    } catch (err) {
      if (!(err instanceof ToolNotFoundError)) throw err;
    }
  }
  return undefined;
}

export async function flyctlDeploy(
  program: string,
  ctx: DeployContext,
  app: string,
  image: string,
  token: string,
): Promise<void> {
  const args = ['deploy', '--image', image, '-a', app, '--now'];
  // The fly.toml the helix CLI generated at `helix init fly`, when present.
  const config = path.join(ctx.project.dir, '.helix', ctx.environment.name, 'fly.toml');
  if (fs.existsSync(config)) args.push('--config', config);
  const r = await run(program, args, {
    cwd: ctx.project.dir,
    env: { ...process.env, FLY_API_TOKEN: token },
    signal: ctx.signal,
    onStdout: ctx.log,
    onStderr: ctx.log,
    collect: false,
    killAfterMs: 15_000,
  });
  if (r.cancelled) throw new CancelledError('Deploy cancelled');
  if (r.code !== 0) throw new Error(`flyctl deploy failed with exit code ${r.code} (see the log above)`);
}
