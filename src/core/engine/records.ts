import type { Event } from './emitter';
import { isRunState, type RunKind, type RunState } from './states';

// The shape of runs and of each journal line, checked on read: a line written by an older or foreign
// version, or edited by hand, is skipped with a message naming what is wrong, instead of breaking every
// later plan and apply.
//
// Line shapes: {t:"begin",run}  {t:"state",id,state,at,error?,meta?}  {t:"meta",id,meta}  {t:"log",id,lines}
// {t:"snap",run} ("snap" lines are written by compaction and carry a whole record).

export interface RunRecord {
  id: string;
  kind: RunKind;
  project: string;
  /** The project's folder: projects are told apart by folder, not name (absent in records of older versions). */
  projectDir?: string;
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
  /** The project's folder; a RunHistory records the run in `<projectDir>/.helix/runs.jsonl`. */
  projectDir?: string;
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
  /** Only runs of the project in this folder (records without a folder match by `project` alone). */
  projectDir?: string;
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

/** What a recovery hook decides for a run whose owner process is gone ('keep': leave it as it is). */
export type RecoveredRun = { state: RunState; error?: string; meta?: Record<string, unknown> } | 'keep';

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
   * Called on open for each run left non-terminal by a dead owner process, instead of the fixed
   * Interrupted (the default when absent, or when the hook throws); 'keep' leaves the run as it is
   * (e.g. an orphaned terraform is still running).
   */
  recoverRun?: (run: RunRecord) => Promise<RecoveredRun>;
  /** Follow the file: what other processes write is read as it happens and fired on onDidChange. */
  follow?: boolean;
  /**
   * The folder of the project whose history this file is: records of older versions, which named the
   * project only, are read as runs of this folder, so they are keyed like every newer run.
   */
  projectDir?: string;
}

/** The run history API shared by one journal file (Journal) and the per-project router (RunHistory). */
export interface RunStore {
  readonly onDidChange: Event<JournalChange>;
  begin(input: BeginInput): Promise<RunRecord>;
  transition(
    id: string,
    state: RunState,
    patch?: { error?: string; meta?: Record<string, unknown> },
  ): Promise<RunRecord>;
  end(id: string, state: RunState, error?: string, meta?: Record<string, unknown>): Promise<RunRecord>;
  patch(id: string, meta: Record<string, unknown>): Promise<RunRecord>;
  /** Resolves when the line is durable; streaming callers may ignore it (a failed write is handled inside). */
  appendLog(id: string, line: string): Promise<void>;
  /** Lines [from, from + count) of a run's whole log (kept on disk; the record holds only its tail). */
  readLog?(id: string, from: number, count: number): Promise<{ lines: string[]; total: number; from: number }>;
  get(id: string): RunRecord | undefined;
  list(filter?: RunFilter): RunRecord[];
  reload(): Promise<void>;
  close(): Promise<void>;
}

export type Entry =
  | { t: 'begin' | 'snap'; run: Omit<RunRecord, 'log'> & { log?: string[] } }
  | { t: 'state'; id: string; state: RunState; at: string; error?: string; meta?: Record<string, unknown> }
  | { t: 'meta'; id: string; meta: Record<string, unknown> }
  | { t: 'log'; id: string; lines: string[] };

/** A line of a history file that was skipped, with where it is. */
export interface JournalWarning {
  file: string;
  /** 1-based line number in the file as it was read. */
  line: number;
  message: string;
}

export function formatWarning(w: JournalWarning): string {
  return `${w.file}:${w.line}: ${w.message}`;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const isStrArray = (v: unknown): boolean => Array.isArray(v) && v.every(isStr);

/** What is wrong with a parsed line, or undefined when it has the right shape. */
export function checkEntry(e: unknown): string | undefined {
  if (!isObj(e)) return 'not a JSON object';
  switch (e.t) {
    case 'begin':
    case 'snap':
      return checkRun(e.run);
    case 'state':
      return (
        checkId(e.id) ??
        (isRunState(e.state) ? undefined : `"state" is ${JSON.stringify(e.state)}, not a run state`) ??
        (isStr(e.at) ? undefined : '"at" must be a time string') ??
        (e.error === undefined || isStr(e.error) ? undefined : '"error" must be a string') ??
        (e.meta === undefined || isObj(e.meta) ? undefined : '"meta" must be an object')
      );
    case 'meta':
      return checkId(e.id) ?? (isObj(e.meta) ? undefined : '"meta" must be an object');
    case 'log':
      return checkId(e.id) ?? (isStrArray(e.lines) ? undefined : '"lines" must be a list of strings');
    default:
      return `unknown record type ${JSON.stringify(e.t)}`;
  }
}

function checkId(id: unknown): string | undefined {
  return isStr(id) && id.length > 0 ? undefined : 'missing run "id"';
}

function checkRun(run: unknown): string | undefined {
  if (!isObj(run)) return 'missing "run" object';
  const bad = checkId(run.id);
  if (bad) return bad;
  for (const k of ['kind', 'project', 'environment', 'startedAt'] as const) {
    if (!isStr(run[k])) return `run ${run.id}: "${k}" must be a string`;
  }
  if (!isRunState(run.state)) return `run ${run.id}: "state" is ${JSON.stringify(run.state)}, not a run state`;
  for (const k of ['who', 'updatedAt', 'endedAt', 'error', 'host', 'projectDir'] as const) {
    if (run[k] !== undefined && !isStr(run[k])) return `run ${run.id}: "${k}" must be a string`;
  }
  if (run.log !== undefined && !isStrArray(run.log)) return `run ${run.id}: "log" must be a list of strings`;
  if (run.meta !== undefined && !isObj(run.meta)) return `run ${run.id}: "meta" must be an object`;
  for (const k of ['pid', 'logDropped'] as const) {
    if (run[k] !== undefined && typeof run[k] !== 'number') return `run ${run.id}: "${k}" must be a number`;
  }
  return undefined;
}
