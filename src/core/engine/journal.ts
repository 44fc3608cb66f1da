import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Emitter, type Event } from './emitter';
import { withFileLock } from './filelock';
import { pidAlive } from './locks';
import {
  checkEntry,
  type BeginInput,
  type Entry,
  type JournalChange,
  type JournalOptions,
  type JournalWarning,
  type RecoveredRun,
  type RunFilter,
  type RunRecord,
  type RunStore,
} from './records';
import { isTerminal, type RunState } from './states';
import { HelixError, type HelixErrorOptions } from '../errors';
import { encodeLines, forgetRunLog, readRunLog, runLogFile } from '../logs/runLog';

export { isTerminal } from './states';
export type { RunState, RunKind } from './states';
export { whoAmI } from './who';
export { formatWarning } from './records';
export type {
  BeginInput,
  JournalChange,
  JournalOptions,
  JournalWarning,
  RecoveredRun,
  RunFilter,
  RunRecord,
  RunStore,
} from './records';

// The crash-safe run journal: one append-only JSON-lines file per project (`<project>/.helix/runs.jsonl`),
// shared by every process that runs something there (the headless CLI, every editor window) and by every
// kind of run (build/start/stop/push/plan/apply/destroy/rollback...). Every state change is fsync'd before
// the promise resolves, so after a crash the journal knows the last state each run reached. On open, runs
// left non-terminal by a dead process are recovered (`recoverRun`, default Interrupted); a torn last line
// (crash mid-write) is ignored; a line of the wrong shape is reported with its file and line and skipped.
//
// Several processes, one file. Every append and the compaction run under one cross-process lock
// (./filelock.ts), and inside it a writer first reads what others appended since its last read, checking
// the inode of the path against its own descriptor: when a compaction renamed a fresh file over the
// journal, the writer re-opens the new file BEFORE writing, so no append can land in an unlinked file.
// We keep rename-compaction (rather than segments) because readers then need just one file, opening stays
// one sequential read, and the lock already serialises writers; the lock is held for one append only.
// Readers in other processes follow the file (`follow`): fs.watch on the folder, then an incremental read
// from the last offset, or a full re-read when the inode changed.
//
// Line shapes: see ./records.ts.

const INTERRUPTED_MESSAGE = 'Interrupted: the process running it stopped (crash or window closed) before it finished.';

export class JournalError extends HelixError {
  constructor(message: string, options?: HelixErrorOptions) {
    super('journal', message, options);
  }
}

/** Runs begun by a journal open in this process and not ended: alive although their pid is ours. */
const liveHere = new Set<string>();
/** Log lines waiting in memory that are written at once instead of at the next timer tick. */
export const LOG_BATCH_LINES = 10_000;

export class Journal implements RunStore {
  private readonly runs = new Map<string, RunRecord>();
  private readonly changed = new Emitter<JournalChange>();
  private readonly warned = new Emitter<JournalWarning>();
  private readonly warnedKeys = new Set<string>();
  private queue: Promise<unknown> = Promise.resolve();
  private pendingLog = new Map<string, string[]>();
  /** Lines in pendingLog, over all runs. */
  private pendingLines = 0;
  private logFlush: Promise<void> | undefined;
  /** Ends the wait of `logFlush` early. */
  private logFlushNow: (() => void) | undefined;
  /** A log write is queued and has not taken the pending lines yet. */
  private logWriteQueued = false;
  /** Inode of the file our descriptor is open on. */
  private ino = 0;
  /** Bytes of that file read (complete lines only), and its size when last seen. */
  private offset = 0;
  private size = 0;
  /** Lines read so far (line numbers of warnings). */
  private lineNo = 0;
  private closed = false;
  private watcher: fs.FSWatcher | undefined;
  private followTimer: NodeJS.Timeout | undefined;
  private readonly mine = new Set<string>();
  private readonly lockFile: string;
  private readonly redactFn: (s: string) => string;
  private readonly maxLogLines: number;
  private readonly compactBytes: number;
  private readonly keepRuns: number;
  private readonly logFlushMs: number;
  private readonly recoverRun: JournalOptions['recoverRun'];
  private readonly projectDir: string | undefined;

  /** Fires after a change is durable (and when another process's change is read). */
  readonly onDidChange: Event<JournalChange> = this.changed.event;
  /** A skipped line (wrong shape, not JSON), once per line. */
  readonly onWarning: Event<JournalWarning> = this.warned.event;
  /** Every line skipped so far. */
  readonly warnings: JournalWarning[] = [];

  private constructor(
    readonly file: string,
    private fd: fs.promises.FileHandle,
    opts: JournalOptions,
  ) {
    this.lockFile = `${file}.lock`;
    this.redactFn = opts.redact ?? ((s) => s);
    this.maxLogLines = opts.maxLogLines ?? 5000;
    this.compactBytes = opts.compactBytes ?? 8 * 1024 * 1024;
    this.keepRuns = opts.keepRuns ?? 1000;
    this.logFlushMs = opts.logFlushMs ?? 100;
    this.recoverRun = opts.recoverRun;
    this.projectDir = opts.projectDir;
  }

  static async open(file: string, opts: JournalOptions = {}): Promise<Journal> {
    await fs.promises.mkdir(path.dirname(file), { recursive: true });
    const fd = await fs.promises.open(file, 'a+', 0o600);
    const j = new Journal(file, fd, opts);
    try {
      j.ino = (await fd.stat()).ino;
      await j.serial(() => j.catchUp(false));
      await j.recover();
      if (j.size > j.compactBytes) await j.compact();
    } catch (err) {
      await fd.close().catch(() => undefined);
      throw err;
    }
    if (opts.follow) j.follow();
    return j;
  }

  /** Reads what other processes (the CLI, another window) wrote since the last read. */
  async reload(): Promise<void> {
    await this.serial(() => this.catchUp(true));
  }

  // ---- reading ----

  /** Reads new complete lines; re-reads everything when the file was replaced (compaction) or truncated. */
  private async catchUp(fire: boolean): Promise<void> {
    let st: fs.Stats | undefined;
    try {
      st = await fs.promises.stat(this.file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (!st || st.ino !== this.ino || st.size < this.offset) {
      await this.fd.close().catch(() => undefined);
      this.fd = await fs.promises.open(this.file, 'a+', 0o600);
      const now = await this.fd.stat();
      this.ino = now.ino;
      return this.fullReload(now.size, fire);
    }
    this.size = st.size;
    if (st.size > this.offset) await this.readTo(st.size, fire);
  }

  private async fullReload(size: number, fire: boolean): Promise<void> {
    const before = new Map([...this.runs].map(([id, r]) => [id, r.state]));
    this.runs.clear();
    this.offset = 0;
    this.lineNo = 0;
    this.size = size;
    await this.readTo(size, false);
    // Lines logged here but not written yet are not in the file: keep them in the records.
    for (const [id, lines] of this.pendingLog) {
      const r = this.runs.get(id);
      if (r) this.pushLog(r, lines);
    }
    if (!fire) return;
    for (const r of this.runs.values()) {
      const previous = before.get(r.id);
      if (previous === undefined) this.changed.fire({ type: 'begin', run: r });
      else if (previous !== r.state) this.changed.fire({ type: 'state', run: r, previous });
    }
  }

  private async readTo(end: number, fire: boolean): Promise<void> {
    const len = end - this.offset;
    const buf = Buffer.allocUnsafe(len);
    let got = 0;
    while (got < len) {
      const { bytesRead } = await this.fd.read(buf, got, len - got, this.offset + got);
      if (!bytesRead) break;
      got += bytesRead;
    }
    // Only complete lines: the rest is being written by another process, or torn by a crash.
    const last = buf.lastIndexOf(10, got - 1);
    if (last < 0) return;
    const text = buf.toString('utf8', 0, last + 1);
    this.offset += last + 1;
    let from = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; from = nl + 1, nl = text.indexOf('\n', from)) {
      this.lineNo++;
      this.readLine(text.slice(from, nl), fire);
    }
  }

  private readLine(line: string, fire: boolean): void {
    if (!line || (line.charCodeAt(0) <= 32 && !line.trim())) return;
    let e: unknown;
    try {
      e = JSON.parse(line);
    } catch {
      // A line of ours cut short by a crash (a newline was added after it) is expected: skip it quietly.
      if (!line.startsWith('{"t":')) this.warn('not a JSON record');
      return;
    }
    const bad = checkEntry(e);
    if (bad) return this.warn(bad);
    const entry = e as Entry;
    if (!('run' in entry) && !this.runs.has(entry.id)) return this.warn(`run ${entry.id} has no begin record`);
    const change = this.apply(entry);
    if (fire && change) this.changed.fire(change);
  }

  private warn(message: string): void {
    const w: JournalWarning = { file: this.file, line: this.lineNo, message: `${message}; line skipped` };
    const key = `${this.ino}:${w.line}:${message}`;
    if (this.warnedKeys.has(key)) return;
    this.warnedKeys.add(key);
    this.warnings.push(w);
    this.warned.fire(w);
  }

  private apply(e: Entry): JournalChange | undefined {
    switch (e.t) {
      case 'begin':
      case 'snap': {
        // The entry is ours alone (parsed, or built by begin() and already written): it becomes the record.
        const run = e.run as RunRecord;
        run.log ??= [];
        if (run.projectDir === undefined && this.projectDir !== undefined) run.projectDir = this.projectDir;
        this.runs.set(run.id, run);
        return { type: 'begin', run };
      }
      case 'state': {
        const r = this.runs.get(e.id);
        if (!r) return undefined;
        const previous = r.state;
        r.state = e.state;
        r.updatedAt = e.at;
        if (e.error !== undefined) r.error = e.error;
        if (e.meta) r.meta = r.meta ? Object.assign(r.meta, e.meta) : e.meta;
        if (isTerminal(r.state)) {
          r.endedAt = e.at;
          liveHere.delete(r.id);
          this.mine.delete(r.id);
        }
        return { type: 'state', run: r, previous };
      }
      case 'meta': {
        const r = this.runs.get(e.id);
        if (!r) return undefined;
        r.meta = r.meta ? Object.assign(r.meta, e.meta) : e.meta;
        return { type: 'meta', run: r };
      }
      case 'log': {
        const r = this.runs.get(e.id);
        if (!r) return undefined;
        this.pushLog(r, e.lines);
        return { type: 'log', run: r, lines: e.lines };
      }
    }
  }

  private pushLog(r: RunRecord, lines: string[]): void {
    for (const l of lines) r.log.push(l);
    let over = r.log.length - this.maxLogLines;
    if (over <= 0) return;
    r.logDropped = (r.logDropped ?? 0) + over;
    // Lines mostly come one at a time: shift() drops one in O(1), splice(0, 1) copies the whole tail
    // each time (80 s for a million lines into a 5,000-line tail).
    if (over > 64) r.log.splice(0, over);
    else while (over-- > 0) r.log.shift();
  }

  private follow(): void {
    const base = path.basename(this.file);
    try {
      this.watcher = fs.watch(path.dirname(this.file), { persistent: false }, (_ev, name) => {
        if (name && name !== base) return;
        if (this.followTimer || this.closed) return;
        // Coalesce bursts (a tool's log batches) into one read.
        this.followTimer = setTimeout(() => {
          this.followTimer = undefined;
          if (!this.closed) void this.serial(() => this.catchUp(true)).catch(() => undefined);
        }, 25);
      });
      this.watcher.on('error', () => undefined);
    } catch {
      // No file watching here: reload() still reads what others wrote.
    }
  }

  // ---- recovery ----

  /** Runs left non-terminal by a process that is gone: recoverRun decides, else Interrupted. */
  private async recover(): Promise<void> {
    const host = os.hostname();
    for (const r of [...this.runs.values()]) {
      if (isTerminal(r.state)) continue;
      const alive =
        r.host === host && r.pid !== undefined && (r.pid === process.pid ? liveHere.has(r.id) : pidAlive(r.pid));
      if (alive) continue;
      let outcome: RecoveredRun | undefined;
      try {
        outcome = this.recoverRun ? await this.recoverRun({ ...r, log: [...r.log] }) : undefined;
      } catch {
        outcome = undefined;
      }
      if (outcome === 'keep') continue;
      const o = outcome ?? {
        state: 'Interrupted' as RunState,
        error: `${INTERRUPTED_MESSAGE} It was ${r.state}.`,
        meta: { interruptedFrom: r.state },
      };
      const error = o.error !== undefined ? this.redactFn(o.error) : undefined;
      const meta = o.meta ? this.redactMeta(o.meta) : undefined;
      // Another process opening the history at the same time may have recovered it first.
      await this.commit(() => {
        const cur = this.runs.get(r.id);
        return cur && !isTerminal(cur.state)
          ? { t: 'state', id: r.id, state: o.state, at: new Date().toISOString(), error, meta }
          : undefined;
      });
    }
  }

  // ---- writing ----

  async begin(input: BeginInput): Promise<RunRecord> {
    const now = new Date().toISOString();
    const head: Omit<RunRecord, 'log'> = {
      id: input.id ?? newRunId(),
      kind: input.kind,
      project: input.project,
      ...(input.projectDir !== undefined ? { projectDir: input.projectDir } : {}),
      environment: input.environment,
      who: input.who,
      startedAt: now,
      updatedAt: now,
      state: input.state ?? 'Running',
      meta: input.meta ? this.redactMeta(input.meta) : undefined,
      pid: process.pid,
      host: os.hostname(),
    };
    const change = await this.commit(() => {
      if (this.runs.has(head.id)) throw new JournalError(`run ${head.id} already exists`);
      return { t: 'begin', run: head };
    });
    const run = change!.run;
    if (!isTerminal(run.state)) {
      liveHere.add(run.id);
      this.mine.add(run.id);
    }
    return run;
  }

  /**
   * Records a new state. The journal refuses to change a terminal run (as the file says it is now, other
   * processes included); which transitions are legal for plan runs is the state machine's business
   * (./machine.ts), not the journal's.
   */
  async transition(
    id: string,
    state: RunState,
    patch: { error?: string; meta?: Record<string, unknown> } = {},
  ): Promise<RunRecord> {
    const error = patch.error !== undefined ? this.redactFn(patch.error) : undefined;
    const meta = patch.meta ? this.redactMeta(patch.meta) : undefined;
    const change = await this.commit(() => {
      const r = this.require(id);
      if (isTerminal(r.state)) throw new JournalError(`run ${id} is already ${r.state}; it cannot become ${state}`);
      return { t: 'state', id, state, at: new Date().toISOString(), error, meta };
    });
    await this.maybeCompact();
    return change!.run;
  }

  /** Ends a run in a terminal state (Succeeded, Failed, Cancelled, Applied, ...). */
  async end(id: string, state: RunState, error?: string, meta?: Record<string, unknown>): Promise<RunRecord> {
    if (!isTerminal(state)) throw new JournalError(`end(${id}): ${state} is not a terminal state`);
    return this.transition(id, state, { error, meta });
  }

  /** Merges metadata without changing state (e.g. plan hash, image digest). */
  async patch(id: string, meta: Record<string, unknown>): Promise<RunRecord> {
    const m = this.redactMeta(meta);
    const change = await this.commit(() => (this.require(id), { t: 'meta', id, meta: m }));
    return change!.run;
  }

  /**
   * Appends a log line (redacted). Lines are batched: many lines cost one write and one fsync.
   * The returned promise resolves once the line is durable; callers streaming output need not await it, nor
   * handle its failure (it is handled here once per write, not once per line).
   */
  appendLog(id: string, line: string): Promise<void> {
    const r = this.require(id);
    const clean = this.redactFn(line);
    this.pushLog(r, [clean]);
    let pending = this.pendingLog.get(id);
    if (!pending) this.pendingLog.set(id, (pending = []));
    pending.push(clean);
    this.pendingLines++;
    this.changed.fire({ type: 'log', run: r, lines: [clean] });
    if (!this.logFlush) {
      this.logFlush = new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.logFlushMs);
        this.logFlushNow = () => (clearTimeout(timer), resolve());
      }).then(() => {
        this.logFlush = this.logFlushNow = undefined;
        return this.flushLogs();
      });
      // Streaming callers do not await; one handler here spares each of them a handler (and a promise) per line.
      this.logFlush.catch(() => undefined);
    }
    // A tool that writes faster than the disk: write a full batch at once rather than let the lines waiting in
    // memory pile up until the timer (memory would grow with the tool's speed times the write time).
    if (this.pendingLines >= LOG_BATCH_LINES && !this.logWriteQueued) this.logFlushNow?.();
    return this.logFlush;
  }

  private async flushLogs(): Promise<void> {
    if (!this.pendingLog.size) {
      await this.queue;
      return;
    }
    this.logWriteQueued = true;
    await this.commit(() => undefined);
  }

  /** Takes the lines waiting to be written (a write or a compaction has them from here on). */
  private takePendingLog(): Map<string, string[]> {
    const logs = this.pendingLog;
    this.pendingLog = new Map();
    this.pendingLines = 0;
    this.logWriteQueued = false;
    return logs;
  }

  /**
   * One append under the cross-process lock: read what others wrote first (re-opening a replaced file),
   * then `build` decides from the current records what to write (pending log lines go first).
   */
  private commit(build: () => Entry | undefined): Promise<JournalChange | undefined> {
    if (this.closed) return Promise.reject(new JournalError('journal is closed'));
    return this.serial(() =>
      withFileLock(this.lockFile, async () => {
        await this.catchUp(true);
        const entry = build();
        let text = '';
        const logs = this.takePendingLog();
        for (const [id, lines] of logs) if (this.runs.has(id)) text += JSON.stringify({ t: 'log', id, lines }) + '\n';
        await this.appendRunLogs(logs);
        if (entry) text += JSON.stringify(entry) + '\n';
        if (!text) return undefined;
        // Bytes after the last newline, with the lock held, were torn by a crash: start on a fresh line.
        const torn = this.size - this.offset;
        if (torn > 0) text = '\n' + text;
        const bytes = Buffer.from(text, 'utf8');
        await this.fd.write(bytes, 0, bytes.length);
        await this.fd.datasync();
        this.lineNo += text.split('\n').length - 1;
        this.offset = this.size = this.size + bytes.length;
        if (!entry) return undefined;
        const change = this.apply(entry);
        if (change) this.changed.fire(change);
        return change;
      }),
    );
  }

  /**
   * Each run's whole log goes to its own file (../logs/runLog.ts): the journal keeps a tail, and compaction
   * drops log lines from runs.jsonl, so this file is where a long log is read back from. Not fsync'd: a crash
   * may lose the last lines of a log, never a state.
   */
  private async appendRunLogs(logs: Map<string, string[]>): Promise<void> {
    if (!logs.size) return;
    await fs.promises.mkdir(this.logsDir, { recursive: true, mode: 0o700 });
    for (const [id, lines] of logs)
      if (this.runs.has(id))
        await fs.promises.appendFile(runLogFile(this.stateDir, id), encodeLines(lines), { mode: 0o600 });
  }

  private get stateDir(): string {
    return path.dirname(this.file);
  }

  private get logsDir(): string {
    return path.join(this.stateDir, 'logs');
  }

  /**
   * Lines [from, from + count) of a run's whole log, from its file (any process's run), and the log's length.
   * A run logged before logs had files has only the tail in its record.
   */
  readLog(id: string, from: number, count: number): Promise<{ lines: string[]; total: number; from: number }> {
    return readRunLog(runLogFile(this.stateDir, id), from, count);
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const job = this.queue.then(fn);
    this.queue = job.catch(() => undefined);
    return job;
  }

  get(id: string): RunRecord | undefined {
    return this.runs.get(id);
  }

  /** Newest first. */
  list(filter: RunFilter = {}): RunRecord[] {
    const kinds =
      filter.kind === undefined ? undefined : new Set(Array.isArray(filter.kind) ? filter.kind : [filter.kind]);
    const out: RunRecord[] = [];
    for (const r of this.runs.values()) {
      if (filter.project !== undefined && r.project !== filter.project) continue;
      if (filter.projectDir !== undefined && r.projectDir !== undefined && r.projectDir !== filter.projectDir) continue;
      if (filter.environment !== undefined && r.environment !== filter.environment) continue;
      if (kinds && !kinds.has(r.kind)) continue;
      if (filter.active && isTerminal(r.state)) continue;
      out.push(r);
    }
    out.sort(newestFirst);
    return filter.limit !== undefined ? out.slice(0, filter.limit) : out;
  }

  /** Rewrites the file with one snapshot line per kept run (atomic rename), dropping old terminal runs. */
  async compact(): Promise<void> {
    if (this.closed) throw new JournalError('journal is closed');
    await this.serial(() =>
      withFileLock(this.lockFile, async () => {
        await this.catchUp(true);
        // Pending log lines are already in the records: the snapshot carries them.
        const pending = this.takePendingLog();
        const all = [...this.runs.values()].sort(newestFirst);
        const keep: RunRecord[] = [];
        let terminal = 0;
        const dropped: string[] = [];
        for (const r of all) {
          if (isTerminal(r.state) && ++terminal > this.keepRuns) {
            this.runs.delete(r.id);
            dropped.push(r.id);
            continue;
          }
          keep.push(r);
        }
        // Pending lines of kept runs are in the snapshot, but their log files must have them too.
        await this.appendRunLogs(pending);
        keep.reverse();
        const text = keep.map((r) => JSON.stringify({ t: 'snap', run: r }) + '\n').join('');
        const tmp = `${this.file}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`;
        const h = await fs.promises.open(tmp, 'w', 0o600);
        try {
          await h.writeFile(text, 'utf8');
          await h.sync();
        } finally {
          await h.close();
        }
        await fs.promises.rename(tmp, this.file);
        await this.fd.close().catch(() => undefined);
        this.fd = await fs.promises.open(this.file, 'a+', 0o600);
        this.ino = (await this.fd.stat()).ino;
        this.offset = this.size = Buffer.byteLength(text);
        this.lineNo = keep.length;
        // A run leaving the history takes its log file along.
        for (const id of dropped) {
          const f = runLogFile(this.stateDir, id);
          forgetRunLog(f);
          await fs.promises.rm(f, { force: true });
        }
      }),
    );
  }

  private async maybeCompact(): Promise<void> {
    if (this.size > this.compactBytes) await this.compact();
  }

  /**
   * Runs `fn` holding the history's cross-process lock, after reading what others wrote: nothing can be
   * appended meanwhile (e.g. deleting plan files of runs the history does not know). `fn` must not write
   * to this journal (it would wait for itself).
   */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.serial(() =>
      withFileLock(this.lockFile, async () => {
        await this.catchUp(true);
        return fn();
      }),
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.logFlushNow?.(); // no timer outlives the journal
    await this.flushLogs();
    await this.queue;
    this.closed = true;
    clearTimeout(this.followTimer);
    this.watcher?.close();
    for (const id of this.mine) liveHere.delete(id);
    this.changed.dispose();
    this.warned.dispose();
    await this.fd.close();
  }

  private require(id: string): RunRecord {
    const r = this.runs.get(id);
    if (!r) throw new JournalError(`unknown run ${id}`);
    return r;
  }

  private redactMeta(meta: Record<string, unknown>): Record<string, unknown> {
    return JSON.parse(JSON.stringify(meta), (_k, v) => (typeof v === 'string' ? this.redactFn(v) : v));
  }
}

function newestFirst(a: RunRecord, b: RunRecord): number {
  return a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : 0;
}

/** Sortable, readable run id: time first, then randomness. */
export function newRunId(): string {
  const t = new Date()
    .toISOString()
    .replace(/[-:.TZ]/g, '')
    .slice(0, 14);
  return `${t}-${randomUUID().slice(0, 8)}`;
}
