import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Emitter, type Event } from './emitter';
import { isTerminal, type RunKind, type RunState } from './states';

export { isTerminal } from './states';
export type { RunState, RunKind } from './states';
export { whoAmI } from './who';

// The crash-safe run journal: one append-only JSON-lines file per workspace, used by every kind of run
// (build/start/stop/push/plan/apply/destroy/rollback...). Every state change is fsync'd before the
// promise resolves, so after a crash the journal knows the last state each run reached.
// On open, runs that were left non-terminal by a dead process become `Interrupted` (never lost, never
// stuck running); a torn last line (crash mid-write) is ignored.
//
// Line shapes: {t:"begin",run}  {t:"state",id,state,at,error?,meta?}  {t:"log",id,lines}  {t:"snap",run}
// ("snap" lines are written by compaction and carry a whole record).

export interface RunRecord {
  id: string;
  kind: RunKind;
  project: string;
  environment: string;
  who: string;
  startedAt: string;
  updatedAt: string;
  endedAt?: string;
  state: RunState;
  error?: string;
  /** Last `maxLogLines` lines, redacted. */
  log: string[];
  /** Lines dropped from the front of `log` because of the bound. */
  logDropped?: number;
  meta?: Record<string, unknown>;
  /** Process that owns the run (to tell "interrupted" from "running in another process"). */
  pid?: number;
  host?: string;
}

export interface BeginInput {
  kind: RunKind;
  project: string;
  environment: string;
  who: string;
  /** Initial state; default 'Running' (simple runs). Plan runs start at 'Draft' or 'Planning'. */
  state?: RunState;
  meta?: Record<string, unknown>;
  /** Pre-allocated id (see newRunId), e.g. to take the environment lock before the run is recorded. */
  id?: string;
}

export interface RunFilter {
  project?: string;
  environment?: string;
  kind?: RunKind | RunKind[];
  /** Only non-terminal runs. */
  active?: boolean;
  limit?: number;
}

export type JournalChange =
  | { type: 'begin'; run: RunRecord }
  | { type: 'state'; run: RunRecord; previous: RunState }
  | { type: 'meta'; run: RunRecord }
  | { type: 'log'; run: RunRecord; lines: string[] };

export interface JournalOptions {
  /** Applied to every log line, error and string meta value before it is stored (e.g. Redactor). */
  redact?: (text: string) => string;
  /** Per-run log bound (default 5000 lines). */
  maxLogLines?: number;
  /** Compact when the file exceeds this size (default 8 MiB). */
  compactBytes?: number;
  /** Terminal runs kept by compaction (default 1000, newest first). */
  keepRuns?: number;
  /**
   * Log lines are written and fsync'd in batches at most this often (default 100 ms): a tool printing
   * thousands of lines must not turn into thousands of fsyncs. State changes are always written at once
   * (and flush pending lines first), so a crash loses at most this much log, never a state.
   */
  logFlushMs?: number;
  /**
   * Called for each run left non-terminal by a dead owner process: its real outcome (e.g. from the exit
   * status of a tool that outlived the owner, ./orphans.ts), or 'keep' to leave it open (its tool still
   * runs). Absent, or when it fails: the run becomes Interrupted.
   */
  recoverRun?: (run: RunRecord) => Promise<{ state: RunState; error?: string; meta?: Record<string, unknown> } | 'keep'>;
}

const INTERRUPTED_MESSAGE = 'Interrupted: the process running it stopped (crash or window closed) before it finished.';

export class JournalError extends Error {}

export class Journal {
  private readonly runs = new Map<string, RunRecord>();
  private readonly changed = new Emitter<JournalChange>();
  private queue: Promise<void> = Promise.resolve();
  private pendingLog = new Map<string, string[]>();
  private logFlush: Promise<void> | undefined;
  private bytes = 0;
  private closed = false;
  private readonly redactFn: (s: string) => string;
  private readonly maxLogLines: number;
  private readonly compactBytes: number;
  private readonly keepRuns: number;
  private readonly logFlushMs: number;
  private readonly recoverRun: JournalOptions['recoverRun'];

  /** Fires after a change is durable. */
  readonly onDidChange: Event<JournalChange> = this.changed.event;

  private constructor(
    readonly file: string,
    private fd: fs.promises.FileHandle,
    opts: JournalOptions,
  ) {
    this.redactFn = opts.redact ?? ((s) => s);
    this.maxLogLines = opts.maxLogLines ?? 5000;
    this.compactBytes = opts.compactBytes ?? 8 * 1024 * 1024;
    this.keepRuns = opts.keepRuns ?? 1000;
    this.logFlushMs = opts.logFlushMs ?? 100;
    this.recoverRun = opts.recoverRun;
  }

  static async open(file: string, opts: JournalOptions = {}): Promise<Journal> {
    await fs.promises.mkdir(path.dirname(file), { recursive: true });
    let text = '';
    try {
      text = await fs.promises.readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const fd = await fs.promises.open(file, 'a');
    const j = new Journal(file, fd, opts);
    j.bytes = Buffer.byteLength(text);
    j.replay(text);
    // A torn last line has no newline: start our appends on a fresh line.
    if (text.length && !text.endsWith('\n')) await j.write('\n');
    await j.recover();
    if (j.bytes > j.compactBytes) await j.compact();
    return j;
  }

  /** Re-reads the file (another process, e.g. the CLI, may have appended runs). */
  async reload(): Promise<void> {
    await this.queue;
    const text = await fs.promises.readFile(this.file, 'utf8');
    this.runs.clear();
    this.replay(text);
    this.bytes = Buffer.byteLength(text);
  }

  private replay(text: string): void {
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      let e: any;
      try {
        e = JSON.parse(line);
      } catch {
        continue; // torn or foreign line: skip, never fail the whole history
      }
      this.apply(e);
    }
  }

  private apply(e: any): void {
    switch (e?.t) {
      case 'begin':
      case 'snap':
        if (e.run?.id) this.runs.set(e.run.id, { log: [], ...e.run });
        break;
      case 'state': {
        const r = this.runs.get(e.id);
        if (!r) break;
        r.state = e.state;
        r.updatedAt = e.at;
        if (e.error !== undefined) r.error = e.error;
        if (e.meta) r.meta = { ...r.meta, ...e.meta };
        if (isTerminal(r.state)) r.endedAt = e.at;
        break;
      }
      case 'meta': {
        const r = this.runs.get(e.id);
        if (r && e.meta) r.meta = { ...r.meta, ...e.meta };
        break;
      }
      case 'log': {
        const r = this.runs.get(e.id);
        if (r && Array.isArray(e.lines)) this.pushLog(r, e.lines);
        break;
      }
    }
  }

  private pushLog(r: RunRecord, lines: string[]): void {
    r.log.push(...lines);
    const over = r.log.length - this.maxLogLines;
    if (over > 0) {
      r.log.splice(0, over);
      r.logDropped = (r.logDropped ?? 0) + over;
    }
  }

  /** Runs left non-terminal by a process that is gone become Interrupted. */
  private async recover(): Promise<void> {
    const host = os.hostname();
    for (const r of this.runs.values()) {
      if (isTerminal(r.state)) continue;
      const ownedElsewhere = r.host === host && r.pid !== undefined && r.pid !== process.pid && pidAlive(r.pid);
      if (ownedElsewhere) continue;
      const found = this.recoverRun ? await this.recoverRun(r).catch(() => undefined) : undefined;
      if (found === 'keep') continue;
      if (found && isTerminal(found.state)) await this.end(r.id, found.state, found.error, found.meta);
      else await this.end(r.id, 'Interrupted', `${INTERRUPTED_MESSAGE} It was ${r.state}.`, { interruptedFrom: r.state });
    }
  }

  async begin(input: BeginInput): Promise<RunRecord> {
    const now = new Date().toISOString();
    const run: RunRecord = {
      id: input.id ?? newRunId(),
      kind: input.kind,
      project: input.project,
      environment: input.environment,
      who: input.who,
      startedAt: now,
      updatedAt: now,
      state: input.state ?? 'Running',
      log: [],
      meta: input.meta ? this.redactMeta(input.meta) : undefined,
      pid: process.pid,
      host: os.hostname(),
    };
    const { log: _log, ...head } = run;
    await this.write(JSON.stringify({ t: 'begin', run: head }) + '\n');
    this.runs.set(run.id, run);
    this.changed.fire({ type: 'begin', run });
    return run;
  }

  /**
   * Records a new state. The journal refuses to change a terminal run; which transitions are legal
   * for plan runs is the state machine's business (./machine.ts), not the journal's.
   */
  async transition(id: string, state: RunState, patch: { error?: string; meta?: Record<string, unknown> } = {}): Promise<RunRecord> {
    const r = this.require(id);
    if (isTerminal(r.state)) throw new JournalError(`run ${id} is already ${r.state}; it cannot become ${state}`);
    await this.flushLogs();
    const at = new Date().toISOString();
    const error = patch.error !== undefined ? this.redactFn(patch.error) : undefined;
    const meta = patch.meta ? this.redactMeta(patch.meta) : undefined;
    await this.write(JSON.stringify({ t: 'state', id, state, at, error, meta }) + '\n');
    const previous = r.state;
    this.apply({ t: 'state', id, state, at, error, meta });
    this.changed.fire({ type: 'state', run: r, previous });
    await this.maybeCompact();
    return r;
  }

  /** Ends a run in a terminal state (Succeeded, Failed, Cancelled, Applied, ...). */
  async end(id: string, state: RunState, error?: string, meta?: Record<string, unknown>): Promise<RunRecord> {
    if (!isTerminal(state)) throw new JournalError(`end(${id}): ${state} is not a terminal state`);
    return this.transition(id, state, { error, meta });
  }

  /** Merges metadata without changing state (e.g. plan hash, image digest). */
  async patch(id: string, meta: Record<string, unknown>): Promise<RunRecord> {
    const r = this.require(id);
    const m = this.redactMeta(meta);
    await this.write(JSON.stringify({ t: 'meta', id, meta: m }) + '\n');
    r.meta = { ...r.meta, ...m };
    this.changed.fire({ type: 'meta', run: r });
    return r;
  }

  /**
   * Appends a log line (redacted). Lines are batched: many lines cost one write and one fsync.
   * The returned promise resolves once the line is durable; callers streaming output need not await it.
   */
  appendLog(id: string, line: string): Promise<void> {
    const r = this.require(id);
    const clean = this.redactFn(line);
    this.pushLog(r, [clean]);
    let pending = this.pendingLog.get(id);
    if (!pending) this.pendingLog.set(id, (pending = []));
    pending.push(clean);
    this.changed.fire({ type: 'log', run: r, lines: [clean] });
    if (!this.logFlush) {
      this.logFlush = new Promise<void>((resolve) => setTimeout(resolve, this.logFlushMs)).then(() => {
        this.logFlush = undefined;
        return this.flushLogs();
      });
    }
    return this.logFlush;
  }

  private async flushLogs(): Promise<void> {
    if (!this.pendingLog.size) return this.queue;
    const batch = this.pendingLog;
    this.pendingLog = new Map();
    let text = '';
    for (const [id, lines] of batch) text += JSON.stringify({ t: 'log', id, lines }) + '\n';
    await this.write(text);
  }

  get(id: string): RunRecord | undefined {
    return this.runs.get(id);
  }

  /** Newest first. */
  list(filter: RunFilter = {}): RunRecord[] {
    const kinds = filter.kind === undefined ? undefined : new Set(Array.isArray(filter.kind) ? filter.kind : [filter.kind]);
    const out: RunRecord[] = [];
    for (const r of this.runs.values()) {
      if (filter.project !== undefined && r.project !== filter.project) continue;
      if (filter.environment !== undefined && r.environment !== filter.environment) continue;
      if (kinds && !kinds.has(r.kind)) continue;
      if (filter.active && isTerminal(r.state)) continue;
      out.push(r);
    }
    out.sort((a, b) => (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : 0));
    return filter.limit !== undefined ? out.slice(0, filter.limit) : out;
  }

  /** Rewrites the file with one snapshot line per kept run (atomic rename), dropping old terminal runs. */
  async compact(): Promise<void> {
    await this.flushLogs();
    const job = this.queue.then(async () => {
      const all = [...this.runs.values()].sort((a, b) => (a.startedAt < b.startedAt ? 1 : -1));
      const keep: RunRecord[] = [];
      let terminal = 0;
      for (const r of all) {
        if (isTerminal(r.state) && ++terminal > this.keepRuns) {
          this.runs.delete(r.id);
          continue;
        }
        keep.push(r);
      }
      keep.reverse();
      const text = keep.map((r) => JSON.stringify({ t: 'snap', run: r }) + '\n').join('');
      const tmp = `${this.file}.${process.pid}.tmp`;
      const h = await fs.promises.open(tmp, 'w');
      try {
        await h.writeFile(text, 'utf8');
        await h.sync();
      } finally {
        await h.close();
      }
      await this.fd.close();
      await fs.promises.rename(tmp, this.file);
      this.fd = await fs.promises.open(this.file, 'a');
      this.bytes = Buffer.byteLength(text);
    });
    this.queue = job.catch(() => undefined);
    return job;
  }

  private async maybeCompact(): Promise<void> {
    if (this.bytes > this.compactBytes) await this.compact();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flushLogs();
    await this.queue;
    this.closed = true;
    this.changed.dispose();
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

  /** Serialised append + fsync: a resolved write is on disk. */
  private write(text: string): Promise<void> {
    if (this.closed) return Promise.reject(new JournalError('journal is closed'));
    const job = this.queue.then(async () => {
      await this.fd.write(text);
      await this.fd.datasync();
      this.bytes += Buffer.byteLength(text);
    });
    this.queue = job.catch(() => undefined);
    return job;
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Sortable, readable run id: time first, then randomness. */
export function newRunId(): string {
  const t = new Date().toISOString().replace(/[-:.TZ]/g, '').slice(0, 14);
  return `${t}-${randomUUID().slice(0, 8)}`;
}
