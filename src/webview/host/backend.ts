// What the panel needs from the rest of the extension, as one small interface (the adapter in ./engineBackend.ts
// maps the engine service of src/commands/deploy.ts, the health service and the log follower onto it).
// Keeping it small lets the session (./session.ts) be tested in Node with a fake, no VS Code needed.

import type { PlanModel } from '../../core/plan/model';
import type { EnvView, FoundChange, HealthView, LogLine, RunView } from '../protocol';

export interface Disposable {
  dispose(): void;
}

export interface RunSnapshot {
  run: RunView;
  /** The plan of this run, when it has one. Already redacted by the plan parser. */
  plan?: PlanModel;
  /** Tail of the run's log (redacted). */
  log: LogLine[];
  /** While planning: the changes the tool reported so far, oldest first. */
  found?: FoundChange[];
}

export type BackendEvent =
  | { type: 'run'; envKey: string; snapshot: RunSnapshot }
  | { type: 'log'; envKey: string; runId: string; lines: LogLine[] }
  /** The plan under way found changes (before the full diff exists). */
  | { type: 'found'; envKey: string; runId: string; changes: FoundChange[] }
  | { type: 'health'; envKey: string; health: HealthView }
  /** Everything may have changed (engine became ready): sessions re-read and resend a snapshot. */
  | { type: 'refresh' };

export interface PanelBackend {
  /** Describe the environment (name, kind, protected...). Undefined when it no longer exists. */
  env(envKey: string): EnvView | undefined;
  /** The latest run of the environment (active or last finished), with its plan and log tail. */
  current(envKey: string): RunSnapshot | undefined;
  health(envKey: string): HealthView | undefined;
  subscribe(listener: (e: BackendEvent) => void): Disposable;

  plan(envKey: string): Promise<void>;
  /** Approve exactly the plan with this hash; the engine then applies it. Throws a user-facing Error when refused. */
  approve(envKey: string, runId: string, planHash: string): Promise<void>;
  cancel(envKey: string, runId: string): Promise<void>;
  discard(envKey: string, runId: string): Promise<void>;
  rollback?(envKey: string): Promise<void>;
  /** Local environments: follow container logs; lines arrive via `onLines` until disposed. */
  followContainer?(envKey: string, onLines: (lines: LogLine[]) => void): Disposable;
  /** Masks known secrets in free text; applied to everything the host posts (second line of defence). */
  redact?(text: string): string;
}
