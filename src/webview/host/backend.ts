// What the panel needs from the rest of the extension, as one small interface (the adapter in ./engineBackend.ts
// maps the engine service of src/commands/deploy.ts, the health service and the log follower onto it).
// Keeping it small lets the session (./session.ts) be tested in Node with a fake, no VS Code needed.

import type { PlanModel } from '../../core/plan/model';
import type { EnvView, FoundChange, HealthView, LogLine, RunView } from '../protocol';

export interface Disposable {
  dispose(): void;
}

export interface PanelRunSnapshot {
  run: RunView;
  /** The plan of this run, when it has one. Already redacted by the plan parser. */
  plan?: PlanModel;
  /** Tail of the run's log (redacted). */
  log: LogLine[];
  /** Index of `log[0]` in the run's whole log (lines before it are read with readLog). */
  logFrom?: number;
  /** While planning: the changes the tool reported so far, oldest first. */
  found?: FoundChange[];
}

export type BackendEvent =
  | { type: 'run'; envKey: string; snapshot: PanelRunSnapshot }
  | { type: 'log'; envKey: string; runId: string; lines: LogLine[] }
  /** The plan under way found changes (before the full diff exists). */
  | { type: 'found'; envKey: string; runId: string; changes: FoundChange[] }
  | { type: 'health'; envKey: string; health: HealthView }
  /** A drift check of the environment ended: read `drift(envKey)` again. */
  | { type: 'drift'; envKey: string }
  /** Everything may have changed (engine became ready): sessions re-read and resend a snapshot. */
  | { type: 'refresh' };

export interface PanelBackend {
  /** Describe the environment (name, kind, protected...). Undefined when it no longer exists. */
  env(envKey: string): EnvView | undefined;
  /** The latest run of the environment (active or last finished), with its plan and log tail. */
  current(envKey: string): PanelRunSnapshot | undefined;
  health(envKey: string): HealthView | undefined;
  subscribe(listener: (e: BackendEvent) => void): Disposable;

  plan(envKey: string): Promise<void>;
  /** Approve exactly the plan with this hash; the engine then applies it. Throws a user-facing Error when refused. */
  approve(envKey: string, runId: string, planHash: string): Promise<void>;
  cancel(envKey: string, runId: string): Promise<void>;
  discard(envKey: string, runId: string): Promise<void>;
  rollback?(envKey: string): Promise<void>;
  /** Checks the environment for drift (a run of kind `drift`); the result arrives as a 'drift' event. */
  checkDrift?(envKey: string): Promise<void>;
  /** The last drift report of the environment as a plan model (drifted resources under `drift`). */
  drift?(envKey: string): PlanModel | undefined;
  /** Local environments: follow container logs; lines arrive via `onLines` until disposed. */
  followContainer?(envKey: string, onLines: (lines: LogLine[]) => void): Disposable;
  /** Lines [from, from + count) of a run's whole log, kept on disk; absent = only the tail exists. */
  readLog?(runId: string, from: number, count: number): Promise<{ lines: string[]; from: number }>;
  /** Masks known secrets in free text; applied to everything the host posts (second line of defence). */
  redact?(text: string): string;
}
