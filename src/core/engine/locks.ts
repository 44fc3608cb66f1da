import { HelixError } from '../errors';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// One run per environment, across processes (the extension and the headless CLI share a workspace):
// a lock is a file created with O_EXCL in a folder the caller chooses. A lock whose owner process is
// gone (crash) is taken over and the takeover is reported, never silently ignored.

export interface LockInfo {
  runId: string;
  who: string;
  kind: string;
  /** ISO time the lock was taken. */
  since: string;
  pid: number;
  host: string;
}

export class EnvironmentBusyError extends HelixError {
  constructor(
    readonly environment: string,
    readonly holder: LockInfo,
  ) {
    super('busy', `environment busy: run ${holder.runId} by ${holder.who} since ${holder.since} (${holder.kind})`);
  }
}

export interface AcquireResult {
  /** A lock left by a process that died was replaced; say so to the user. */
  tookOverFrom?: LockInfo;
}

export class LockManager {
  constructor(private readonly dir: string) {}

  private file(key: string): string {
    return path.join(this.dir, `${key.replace(/[^A-Za-z0-9._-]/g, '_')}.lock`);
  }

  /** Key of an environment of a project (project and environment names are unique together). */
  static key(project: string, environment: string): string {
    return `${project}--${environment}`;
  }

  /**
   * Takes the lock or throws EnvironmentBusyError. Without `isStale`, a lock is stale when its owner process
   * is gone. With it, the engine decides (it also knows finished/expired runs and orphaned tool processes);
   * `ownerDead` tells it whether the owning process is gone.
   */
  async acquire(
    key: string,
    info: Omit<LockInfo, 'pid' | 'host' | 'since'>,
    isStale?: (holder: LockInfo, ownerDead: boolean) => Promise<boolean> | boolean,
  ): Promise<AcquireResult> {
    await fs.promises.mkdir(this.dir, { recursive: true });
    const file = this.file(key);
    const mine: LockInfo = { ...info, since: new Date().toISOString(), pid: process.pid, host: os.hostname() };
    let tookOverFrom: LockInfo | undefined;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const h = await fs.promises.open(file, 'wx');
        try {
          await h.writeFile(JSON.stringify(mine));
          await h.sync();
        } finally {
          await h.close();
        }
        return { tookOverFrom };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const holder = await this.read(key);
      if (!holder) continue; // released meanwhile, or unreadable and removed
      const dead = holder.host === os.hostname() && !pidAlive(holder.pid);
      if (isStale ? await isStale(holder, dead) : dead) {
        tookOverFrom = holder;
        await fs.promises.rm(file, { force: true });
        continue;
      }
      throw new EnvironmentBusyError(key, holder);
    }
    throw new Error(`could not take the lock ${file}`);
  }

  async read(key: string): Promise<LockInfo | undefined> {
    try {
      const text = await fs.promises.readFile(this.file(key), 'utf8');
      return JSON.parse(text) as LockInfo;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      // A torn lock file (crash while writing it): remove it, the owner cannot be known.
      await fs.promises.rm(this.file(key), { force: true });
      return undefined;
    }
  }

  /** Releases the lock if `runId` holds it. */
  async release(key: string, runId: string): Promise<void> {
    const holder = await this.read(key);
    if (holder && holder.runId === runId) await fs.promises.rm(this.file(key), { force: true });
  }
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
