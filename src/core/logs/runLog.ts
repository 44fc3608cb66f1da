import * as fs from 'node:fs';
import * as path from 'node:path';

// A run's whole log on disk, `<project>/.helix/logs/<run id>.log`: one JSON string per line (a logged line may
// hold newlines), appended by the journal in the same locked write as the journal's own entries. The journal
// keeps only a tail in memory (maxLogLines); older lines are read back from here a page at a time ("load older"
// in the panel, Save). A sparse index (byte offset of every INDEX_STEP-th line) makes a page one short read
// however long the log: a million lines cost a thousand numbers, not the lines.

export const INDEX_STEP = 1024;

export function runLogFile(stateDir: string, runId: string): string {
  return path.join(stateDir, 'logs', `${runId}.log`);
}

export function encodeLines(lines: readonly string[]): string {
  let out = '';
  for (const l of lines) out += JSON.stringify(l) + '\n';
  return out;
}

interface Index {
  /** offsets[k] = byte offset of line k * INDEX_STEP. */
  offsets: number[];
  lines: number;
  /** Bytes indexed (complete lines only). */
  bytes: number;
}

const indexes = new Map<string, Index>();

/** Extends the file's index from where it stopped (another process may have appended since). */
async function indexOf(file: string): Promise<Index> {
  let ix = indexes.get(file);
  let size: number;
  try {
    size = (await fs.promises.stat(file)).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { offsets: [0], lines: 0, bytes: 0 };
    throw err;
  }
  if (!ix || size < ix.bytes) ix = { offsets: [0], lines: 0, bytes: 0 };
  if (size > ix.bytes) {
    const fh = await fs.promises.open(file, 'r');
    try {
      const buf = Buffer.allocUnsafe(1 << 20);
      let pos = ix.bytes;
      while (pos < size) {
        const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, size - pos), pos);
        if (!bytesRead) break;
        let lastNl = -1;
        for (let i = buf.indexOf(10, 0); i >= 0 && i < bytesRead; i = buf.indexOf(10, i + 1)) {
          lastNl = i;
          ix.lines++;
          if (ix.lines % INDEX_STEP === 0) ix.offsets.push(pos + i + 1);
        }
        if (lastNl < 0) break; // a line still being written
        pos += lastNl + 1;
      }
      ix.bytes = pos;
    } finally {
      await fh.close();
    }
  }
  indexes.set(file, ix);
  if (indexes.size > 64) indexes.delete(indexes.keys().next().value!);
  return ix;
}

/** Lines [from, from + count) of the log (clamped), and how many lines it has in all. */
export async function readRunLog(
  file: string,
  from: number,
  count: number,
): Promise<{ lines: string[]; total: number; from: number }> {
  const ix = await indexOf(file);
  const start = Math.max(0, Math.min(from, ix.lines));
  const end = Math.max(start, Math.min(ix.lines, start + count));
  if (end === start) return { lines: [], total: ix.lines, from: start };
  const k = Math.floor(start / INDEX_STEP);
  const begin = ix.offsets[k]!;
  const stop = Math.ceil(end / INDEX_STEP) < ix.offsets.length ? ix.offsets[Math.ceil(end / INDEX_STEP)]! : ix.bytes;
  const fh = await fs.promises.open(file, 'r');
  let text: string;
  try {
    const buf = Buffer.allocUnsafe(stop - begin);
    let got = 0;
    while (got < buf.length) {
      const { bytesRead } = await fh.read(buf, got, buf.length - got, begin + got);
      if (!bytesRead) break;
      got += bytesRead;
    }
    text = buf.toString('utf8', 0, got);
  } finally {
    await fh.close();
  }
  const lines: string[] = [];
  let n = k * INDEX_STEP;
  for (let at = 0, nl = text.indexOf('\n'); nl >= 0 && n < end; at = nl + 1, nl = text.indexOf('\n', at), n++) {
    if (n < start) continue;
    const raw = text.slice(at, nl);
    try {
      lines.push(JSON.parse(raw) as string);
    } catch {
      lines.push(raw); // a line torn by a crash: shown as written
    }
  }
  return { lines, total: ix.lines, from: start };
}

/** Forgets the index of a removed log. */
export function forgetRunLog(file: string): void {
  indexes.delete(file);
}
