import type { PlanModel } from '../plan/model';
import type { RunRecord } from './journal';
import type { LockManager } from './locks';
import type { DeployTool, ProgressEvent } from './provider';
import type { RunState } from './states';
import type { DeployTarget, ResolvedDeploySettings } from './target';
import type { DeployedRecord } from './rollback';
import type { DeployImage } from './image';

// The engine's run-level types, shared with the plan panel and the VS Code commands.

export type RunEvent =
  | { type: 'state'; runId: string; state: RunState; previous?: RunState; run: RunRecord }
  | { type: 'log'; runId: string; lines: string[] }
  | { type: 'progress'; runId: string; event: ProgressEvent }
  | { type: 'model'; runId: string };

export interface RunSnapshot {
  run: RunRecord;
  tool: DeployTool;
  destroy: boolean;
  /** Redacted diff model, once planned. */
  model?: PlanModel;
  /** sha256 of the plan file; approve() must be given this value. */
  planHash?: string;
  expiresAt?: string;
  /** False when the tool re-plans at apply (Pulumi without saved plans): the UI must say so. */
  binding: boolean;
  /** Changes found so far while planning, apply steps while applying (bounded). */
  progress: ProgressEvent[];
  /** What a person can do now. */
  actions: Array<'approve' | 'apply' | 'cancel' | 'discard' | 'replan'>;
}

export interface RunHandle {
  id: string;
  /** Resolves when the step (plan or apply) has finished, with the final snapshot. Never rejects. */
  done: Promise<RunSnapshot>;
}

export interface ActiveRun {
  target: DeployTarget;
  resolved: ResolvedDeploySettings;
  tool: DeployTool;
  destroy: boolean;
  lockKey: string;
  locks: LockManager;
  controller?: AbortController;
  done?: Promise<RunSnapshot>;
  model?: PlanModel;
  planFile?: string;
  planHash?: string;
  expiresAt?: number;
  timer?: NodeJS.Timeout;
  binding: boolean;
  progress: ProgressEvent[];
  /** Said in the plan view (a rollback var that could not be replayed). */
  notices?: string[];
  /** A rollback run: Re-plan plans the rollback again, not a deploy. */
  rollback?: boolean;
  /** The non-secret `${...}` context recorded with an Applied run (for a rollback: the one rolled back to). */
  context?: Record<string, string | undefined>;
  /** What the Applied record says was deployed, when known in advance (a saved plan: what was planned). */
  deployed?: DeployedRecord;
  /** The pushed image `${image}` resolved to (run meta `image`), shown in the plan header. */
  image?: DeployImage;
  /** An approve/apply is being recorded: a second one (double click, two windows' buttons) is refused. */
  busy?: boolean;
  /** The tool applied; the health step runs (a cancel stops the probes, not the tool). */
  checkingHealth?: boolean;
}

/** What a UI may show and offer for a run, from its journal record and (when open here) its live state. */
export function buildSnapshot(run: RunRecord, a: ActiveRun | undefined): RunSnapshot {
  const s = run.state;
  const actions: RunSnapshot['actions'] = [];
  if (s === 'Planned') actions.push('approve', 'discard');
  if (s === 'Approved') actions.push('apply', 'discard');
  if (s === 'Planning' || s === 'Applying' || s === 'Draft') actions.push('cancel');
  // Re-plan needs the target, known only for runs opened in this process.
  if (a && s !== 'Draft' && s !== 'Planning' && s !== 'Approved' && s !== 'Applying') actions.push('replan');
  return {
    run,
    tool: a?.tool ?? (run.meta?.tool as DeployTool) ?? 'terraform',
    destroy: a?.destroy ?? !!run.meta?.destroy,
    model: a?.model,
    planHash: a?.planHash ?? (run.meta?.planHash as string | undefined),
    expiresAt: a?.expiresAt ? new Date(a.expiresAt).toISOString() : (run.meta?.expiresAt as string | undefined),
    binding: a?.binding ?? true,
    progress: a?.progress ?? [],
    actions,
  };
}
