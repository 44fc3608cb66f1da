import { messageOf } from '../errors';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Emitter, type Event } from './emitter';
import {
  Journal,
  JournalError,
  type BeginInput,
  type JournalChange,
  type JournalOptions,
  type RunFilter,
  type RunRecord,
  type RunStore,
} from './journal';
import { LockManager } from './locks';
import type { JournalWarning } from './records';
import { isTerminal, type RunState } from './states';

// One run history and one lock store per project folder, in `<project>/.helix/`: runs.jsonl, locks/ and
// plans/, shared by the headless CLI and every editor window, for every kind of run. Projects are told apart
// by folder (two projects named alike in a monorepo keep separate histories). RunHistory routes each run to
// its project's journal by the folder given at begin(), and merges list() across the projects it has open.

export const STATE_DIR = '.helix';

/** `<project>/.helix`. */
export function projectStateDir(projectDir: string): string {
  return path.join(path.resolve(projectDir), STATE_DIR);
}

export function historyFile(projectDir: string): string {
  return path.join(projectStateDir(projectDir), 'runs.jsonl');
}

/** Where the engine keeps plan files of the project's runs (mode 0700; files 0600, deleted when the run ends). */
export function plansDir(projectDir: string): string {
  return path.join(projectStateDir(projectDir), 'plans');
}

/** The project's environment locks. */
export function projectLocks(projectDir: string): LockManager {
  return new LockManager(path.join(projectStateDir(projectDir), 'locks'));
}

/** Creates `.helix/` (0700) with a `.gitignore` of its own: plan files hold tool data in plain text. */
export async function prepareStateDir(projectDir: string): Promise<string> {
  const dir = projectStateDir(projectDir);
  await fs.promises.mkdir(dir, { recursive: true, mode: 0o700 });
  try {
    await fs.promises.writeFile(
      path.join(dir, '.gitignore'),
      '# Run history, locks and plan files of Helix Deploy: never committed.\n*\n',
      { flag: 'wx' },
    );
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return dir;
}

/**
 * Deletes plan files whose run is over (terminal, or unknown to the history), holding the history's lock so
 * no run can begin meanwhile (a run is recorded before its plan file exists). Returns the files removed.
 */
/** Name prefix of a saved plan copied in for checking before its apply run exists (see headless.ts). */
export const INCOMING_PREFIX = 'incoming-';

export async function removeStalePlans(projectDir: string, journal: Journal): Promise<string[]> {
  const dir = plansDir(projectDir);
  // Usually there is nothing to delete: then the history's lock (two file operations, shared with other
  // processes) is not taken at all. What is there is listed again under the lock.
  const any = await fs.promises.readdir(dir).then(
    (names) => names.length > 0,
    (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return false;
      throw err;
    },
  );
  if (!any) return [];
  return journal.exclusive(async () => {
    let names: string[];
    try {
      names = await fs.promises.readdir(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const removed: string[] = [];
    for (const name of names) {
      // A saved plan being checked by an apply in another process has no run yet: leave it for an hour.
      if (name.startsWith(INCOMING_PREFIX)) {
        const st = await fs.promises.stat(path.join(dir, name)).catch(() => undefined);
        if (st && Date.now() - st.mtimeMs < 3_600_000) continue;
      }
      // Plan files are named `<run id>.<ext>`; run ids have no dot.
      const run = journal.get(name.split('.')[0]!);
      if (run && !isTerminal(run.state)) continue;
      await fs.promises.rm(path.join(dir, name), { force: true, recursive: true });
      removed.push(name);
    }
    return removed;
  });
}

export class RunHistory implements RunStore {
  private readonly journals = new Map<string, Journal>();
  private readonly opening = new Map<string, Promise<Journal>>();
  private readonly changed = new Emitter<JournalChange>();
  private readonly warned = new Emitter<JournalWarning>();
  private closed = false;

  /** Changes of every open project's history (this process's and, when following, other processes'). */
  readonly onDidChange: Event<JournalChange> = this.changed.event;
  /** Lines skipped in any project's history (wrong shape), once each. */
  readonly onWarning: Event<JournalWarning> = this.warned.event;

  /** `follow` (JournalOptions) makes each project's journal read what other processes write, live. */
  constructor(private readonly opts: JournalOptions = {}) {}

  /** A history with these project folders open. */
  static async open(projectDirs: string[], opts: JournalOptions = {}): Promise<RunHistory> {
    const h = new RunHistory(opts);
    try {
      for (const d of projectDirs) await h.openProject(d);
    } catch (err) {
      await h.close();
      throw err;
    }
    return h;
  }

  /**
   * Opens (once) the history of the project in `dir`: creates `.helix/` and its `.gitignore`, recovers runs
   * of dead processes, deletes plan files of runs that are over.
   */
  openProject(dir: string): Promise<Journal> {
    const key = path.resolve(dir);
    let p = this.opening.get(key);
    if (!p) {
      p = this.doOpen(key);
      this.opening.set(key, p);
      p.catch(() => this.opening.delete(key));
    }
    return p;
  }

  private async doOpen(dir: string): Promise<Journal> {
    if (this.closed) throw new JournalError('run history is closed');
    await prepareStateDir(dir);
    const j = await Journal.open(historyFile(dir), { ...this.opts, projectDir: dir });
    if (this.closed) {
      await j.close();
      throw new JournalError('run history is closed');
    }
    for (const w of j.warnings) this.warned.fire(w);
    j.onWarning((w) => this.warned.fire(w));
    j.onDidChange((e) => this.changed.fire(e));
    this.journals.set(dir, j);
    // The history is open and usable either way; a folder we cannot clean is said, not fatal.
    await removeStalePlans(dir, j).catch((err) =>
      this.warned.fire({
        file: plansDir(dir),
        line: 0,
        message: `plan files of finished runs could not be deleted: ${messageOf(err)}`,
      }),
    );
    return j;
  }

  /** The project folders whose history is open. */
  get projectDirs(): string[] {
    return [...this.journals.keys()];
  }

  journalOf(projectDir: string): Journal | undefined {
    return this.journals.get(path.resolve(projectDir));
  }

  /** Every line skipped so far, in every open project. */
  get warnings(): JournalWarning[] {
    return [...this.journals.values()].flatMap((j) => j.warnings);
  }

  /** Records the run in its project's history (`input.projectDir`; optional only while one project is open). */
  async begin(input: BeginInput): Promise<RunRecord> {
    let dir = input.projectDir;
    if (dir === undefined) {
      if (this.journals.size !== 1)
        throw new JournalError(
          `run of ${input.project}/${input.environment}: no project folder given, so its history is unknown`,
        );
      dir = [...this.journals.keys()][0]!;
    }
    const j = await this.openProject(dir);
    return j.begin({ ...input, projectDir: path.resolve(dir) });
  }

  async transition(
    id: string,
    state: RunState,
    patch?: { error?: string; meta?: Record<string, unknown> },
  ): Promise<RunRecord> {
    return this.owner(id).transition(id, state, patch);
  }

  async end(id: string, state: RunState, error?: string, meta?: Record<string, unknown>): Promise<RunRecord> {
    return this.owner(id).end(id, state, error, meta);
  }

  async patch(id: string, meta: Record<string, unknown>): Promise<RunRecord> {
    return this.owner(id).patch(id, meta);
  }

  appendLog(id: string, line: string): Promise<void> {
    return this.owner(id).appendLog(id, line);
  }

  readLog(id: string, from: number, count: number): Promise<{ lines: string[]; total: number; from: number }> {
    return this.owner(id).readLog(id, from, count);
  }

  get(id: string): RunRecord | undefined {
    for (const j of this.journals.values()) {
      const r = j.get(id);
      if (r) return r;
    }
    return undefined;
  }

  /** Newest first, across the open projects (only the project's own history with `projectDir`). */
  list(filter: RunFilter = {}): RunRecord[] {
    if (filter.projectDir !== undefined) return this.journalOf(filter.projectDir)?.list(filter) ?? [];
    const all = [...this.journals.values()];
    if (all.length === 1) return all[0]!.list(filter);
    const out = all.flatMap((j) => j.list({ ...filter, limit: undefined }));
    out.sort((a, b) => (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : 0));
    return filter.limit !== undefined ? out.slice(0, filter.limit) : out;
  }

  async reload(): Promise<void> {
    await Promise.all([...this.journals.values()].map((j) => j.reload()));
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.opening.values()]);
    await Promise.all([...this.journals.values()].map((j) => j.close()));
    this.journals.clear();
    this.changed.dispose();
    this.warned.dispose();
  }

  private owner(id: string): Journal {
    for (const j of this.journals.values()) if (j.get(id)) return j;
    throw new JournalError(`unknown run ${id}`);
  }
}
