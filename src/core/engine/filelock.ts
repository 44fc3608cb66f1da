import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { pidAlive } from './locks';
import { HelixError, type HelixErrorOptions } from '../errors';

// A short cross-process mutex: a lock file created with O_EXCL next to the file it guards. It is held for
// one append or one compaction (milliseconds), so waiting is a short sleep loop.
//
// A holder that died (same host, pid gone; another host: older than STALE_MS) is taken over by renaming
// its lock file to a private name and checking that the renamed file is still the stale one (its nonce):
// two processes taking over at once cannot both delete a fresh lock, because the loser finds a nonce it
// did not judge stale and links the file back before retrying.

const STALE_MS = 30_000;
const WAIT_MS = 60_000;

interface Holder {
  pid: number;
  host: string;
  nonce: string;
  at: string;
}

export class FileLockTimeoutError extends HelixError {
  constructor(message: string, options?: HelixErrorOptions) {
    super('lock-timeout', message, options);
  }
}

export async function withFileLock<T>(lockFile: string, fn: () => Promise<T>): Promise<T> {
  const nonce = await acquire(lockFile);
  try {
    return await fn();
  } finally {
    await release(lockFile, nonce);
  }
}

async function acquire(lockFile: string): Promise<string> {
  const me: Holder = { pid: process.pid, host: os.hostname(), nonce: randomUUID(), at: new Date().toISOString() };
  const text = JSON.stringify(me);
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      // One write() of a short string: a reader sees the whole holder or an empty file.
      await fs.promises.writeFile(lockFile, text, { flag: 'wx' });
      return me.nonce;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const seen = await readHolder(lockFile);
    if (seen === 'gone') continue;
    if (await isStale(lockFile, seen)) {
      await takeOver(lockFile, seen);
      continue;
    }
    if (Date.now() - started > WAIT_MS) {
      const who = seen ? `process ${seen.pid} on ${seen.host} since ${seen.at}` : 'an unknown process';
      throw new FileLockTimeoutError(`${lockFile} is held by ${who}; remove the file if that process is gone.`);
    }
    await sleep(Math.min(50, 1 + attempt) * (0.5 + Math.random()));
  }
}

async function readHolder(lockFile: string): Promise<Holder | undefined | 'gone'> {
  try {
    const text = await fs.promises.readFile(lockFile, 'utf8');
    const h = JSON.parse(text) as Holder;
    return typeof h?.pid === 'number' && typeof h.nonce === 'string' ? h : undefined;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'gone' : undefined;
  }
}

async function isStale(lockFile: string, h: Holder | undefined): Promise<boolean> {
  if (h && h.host === os.hostname()) return !pidAlive(h.pid);
  // Another host, or a file being written right now / torn by a crash: only its age can tell.
  try {
    return Date.now() - (await fs.promises.stat(lockFile)).mtimeMs > (h ? STALE_MS : 5_000);
  } catch {
    return false;
  }
}

async function takeOver(lockFile: string, stale: Holder | undefined): Promise<void> {
  const aside = `${lockFile}.${process.pid}.${randomUUID().slice(0, 8)}.stale`;
  try {
    await fs.promises.rename(lockFile, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  const moved = await readHolder(aside);
  const same = moved !== 'gone' && (moved?.nonce ?? '') === (stale?.nonce ?? '');
  if (!same) {
    // Another process replaced the stale lock meanwhile: put its live lock back.
    await fs.promises.link(aside, lockFile).catch(() => undefined);
  }
  await fs.promises.rm(aside, { force: true });
}

async function release(lockFile: string, nonce: string): Promise<void> {
  const h = await readHolder(lockFile);
  if (h !== 'gone' && h?.nonce === nonce) await fs.promises.rm(lockFile, { force: true });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
