import * as fs from 'node:fs';
import * as path from 'node:path';
import { isStalePlanError, isStateLockError, parseStreamLine } from '../plan/terraform/stream';
import {
  readToolStatus,
  removeToolFiles,
  toolEnded,
  toolFiles,
  toolStarting,
  type ToolStatus,
} from '../process/survivor';
import type { RunRecord } from './journal';
import { pidAlive } from './locks';
import type { RunState } from './states';

// Runs whose owner process died (CLI killed, editor crashed) while their tool kept running: the tool runs
// detached and records its exit in a status file (../process/survivor.ts), so a later process can
//  - tell that the tool still runs (the environment stays locked, with a message naming it), and
//  - once it is gone, record the tool's real outcome (Applied with its deployed record, ApplyFailed,
//    PlanFailed, Cancelled) instead of a blind Interrupted.
// `recoverOrphanedRun` is the journal's `recoverRun` option (called for each run a dead process left open).

export type RecoveredRun = { state: RunState; error?: string; meta?: Record<string, unknown> };

/** The base path of a run's tool files (recorded in the run's meta as `toolOutput` when it begins). */
export function toolOutputBase(stateDir: string, runId: string): string {
  return path.join(stateDir, 'tool-output', runId);
}

export interface RunningTool {
  tool: string;
  /** Undefined while it is being started. */
  pid?: number;
}

function outputBase(run: RunRecord): string | undefined {
  const base = run.meta?.toolOutput;
  return typeof base === 'string' && base ? base : undefined;
}

/** The run's tool process if it still runs: its status file first, else the recorded `toolPid`. */
export function runningTool(run: RunRecord): RunningTool | undefined {
  const tool = String(run.meta?.tool ?? 'tool');
  const base = outputBase(run);
  const status = base ? readToolStatus(base) : undefined;
  if (status) {
    if (toolEnded(status)) return undefined;
    // The wrapper outlives the tool until the exit is written: alive wrapper = outcome not known yet.
    if (typeof status.pid === 'number' && pidAlive(status.pid)) return { tool, pid: status.pid };
    if (typeof status.wrapper === 'number' && pidAlive(status.wrapper))
      return { tool, pid: status.pid ?? status.wrapper };
    // Its owner died while starting it: give the wrapper the moment it needs to report.
    if (toolStarting(status)) return { tool };
    return undefined;
  }
  const pid = run.meta?.toolPid;
  return typeof pid === 'number' && pidAlive(pid) ? { tool, pid } : undefined;
}

export function stillRunningMessage(run: RunRecord, t: RunningTool): string {
  return `${t.tool} (${t.pid === undefined ? 'starting' : `pid ${t.pid}`}) from run ${run.id} is still running; wait for it (its outcome is recorded when it ends)`;
}

/** The journal's `recoverRun`: 'keep' while the tool runs, else the outcome its exit (and log) show. */
export async function recoverOrphanedRun(run: RunRecord): Promise<RecoveredRun | 'keep'> {
  if (runningTool(run)) return 'keep';
  const base = outputBase(run);
  const status = base ? readToolStatus(base) : undefined;
  const result = outcome(run, status, base);
  // The files hold unredacted tool output: gone once the outcome is known (the caller records it next).
  if (base) await removeToolFiles(base);
  return result;
}

const MUTATING = new Set(['apply', 'up', 'destroy']);

function outcome(run: RunRecord, status: ToolStatus | undefined, base: string | undefined): RecoveredRun {
  const from = run.state;
  const tool = String(run.meta?.tool ?? 'tool');
  const interrupted = (why: string): RecoveredRun => ({
    state: 'Interrupted',
    error: `Interrupted: the process running it stopped (crash, kill or window closed) before it finished. It was ${from}.${why ? ` ${why}` : ''}`,
    meta: { interruptedFrom: from },
  });
  if (!status || status.error !== undefined || (status.pid === undefined && !toolEnded(status))) {
    return interrupted(from === 'Applying' ? `No ${tool} apply had started: nothing was applied.` : '');
  }
  if (!toolEnded(status))
    return interrupted(
      `${tool} ${status.command} (pid ${status.pid}) ended without a recorded exit: re-plan to see what the state holds.`,
    );
  const toolExit = {
    command: status.command,
    code: status.code ?? null,
    signal: status.signal ?? null,
    interrupt: status.interrupt ?? null,
  };
  const meta: Record<string, unknown> = {
    toolExit,
    recovered: `${tool} ended after the process that started it had stopped; this is its outcome`,
  };
  const how = status.signal ? `was killed by ${status.signal}` : `exited ${status.code}`;
  const log = tool === 'terraform' && base ? readTerraformLog(toolFiles(base).out) : undefined;
  if (from === 'Applying') {
    if (!MUTATING.has(status.command ?? ''))
      return interrupted(`${tool} ${status.command} ${how}; the apply itself had not started: nothing was applied.`);
    if (status.code === 0 && !status.signal) {
      const deploying = run.meta?.deploying;
      return {
        state: 'Applied',
        meta: { ...meta, ...(deploying && typeof deploying === 'object' ? { deployed: deploying } : {}) },
      };
    }
    if (status.interrupt)
      return { state: 'Cancelled', error: cancelledApplyMessage(log?.completed ?? [], log?.inFlight ?? []), meta };
    if (log?.stale)
      return {
        state: 'Expired',
        error: 'The plan is stale: the state changed since it was made. Nothing was applied; re-plan.',
        meta: { ...meta, errorCode: 'stale' },
      };
    const errs = log?.errors.length ? `: ${log.errors.join('; ')}` : '';
    return {
      state: 'ApplyFailed',
      error: `${tool} ${status.command} ${how}${errs}`,
      meta: { ...meta, errorCode: log?.locked ? 'state-locked' : 'failed' },
    };
  }
  if (from === 'Planning') {
    if (status.interrupt)
      return {
        state: 'Cancelled',
        error: `Cancelled: ${tool} stopped after the interrupt. Nothing was applied.`,
        meta,
      };
    if (status.signal || (status.code !== 0 && status.code !== 2)) {
      const errs = log?.errors.length ? `: ${log.errors.join('; ')}` : '';
      return {
        state: 'PlanFailed',
        error: `${tool} ${status.command} ${how}${errs}`,
        meta: { ...meta, errorCode: 'failed' },
      };
    }
    return {
      ...interrupted(
        `${tool} ${status.command} finished, but no one was left to review the plan. Nothing was applied; re-plan.`,
      ),
      meta: { ...meta, interruptedFrom: from },
    };
  }
  return { ...interrupted(''), meta: { ...meta, interruptedFrom: from } };
}

/** What a cancelled terraform apply did: completed changes are in the state, interrupted ones may be partly. */
export function cancelledApplyMessage(completed: string[], inFlight: string[]): string {
  const parts = ['Cancelled: Terraform stopped after the interrupt.'];
  if (completed.length)
    parts.push(`It had already applied ${completed.length} change(s), recorded in the state: ${completed.join(', ')}.`);
  if (inFlight.length) parts.push(`Interrupted while changing ${inFlight.join(', ')} (possibly partly changed).`);
  parts.push(completed.length || inFlight.length ? 'Re-plan to see what remains.' : 'Nothing was changed.');
  return parts.join(' ');
}

/** The parts of a `terraform ... -json` log that decide an outcome (addresses and error summaries only). */
function readTerraformLog(file: string): {
  completed: string[];
  inFlight: string[];
  errors: string[];
  stale: boolean;
  locked: boolean;
} {
  const r = {
    completed: [] as string[],
    inFlight: [] as string[],
    errors: [] as string[],
    stale: false,
    locked: false,
  };
  let text = '';
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return r;
  }
  const started = new Set<string>();
  for (const line of text.split('\n')) {
    const l = parseStreamLine(line);
    if (!l) continue;
    const e = l.event;
    if (e.type === 'apply_start') started.add(e.address);
    else if (e.type === 'apply_complete') {
      started.delete(e.address);
      r.completed.push(`${e.address} (${e.action})`);
    } else if (e.type === 'diagnostic' && e.diagnostic.severity === 'error') {
      if (r.errors.length < 5) r.errors.push(e.diagnostic.summary);
      r.stale ||= isStalePlanError(e.diagnostic);
      r.locked ||= isStateLockError(e.diagnostic);
    }
  }
  r.inFlight = [...started];
  return r;
}
