// The run header's stepper: the engine's state machine (src/core/engine/states.ts) as a row of steps.
// Failure states take the place of the step they failed in, so the user sees WHERE it stopped.

import type { RunView } from '../protocol';

export type StepStatus = 'done' | 'current' | 'failed' | 'todo';

export interface Step {
  label: string;
  status: StepStatus;
  /** Epoch ms the step was entered (from the run's transitions). */
  at?: number;
}

const PLAN_PATH = ['Draft', 'Planning', 'Planned', 'Approved', 'Applying', 'Applied'];
const SIMPLE_PATH = ['Running', 'Succeeded'];
/** Terminal failure states and the step they stand in for when no transition tells better. */
const FAILED_AT: Record<string, string> = {
  PlanFailed: 'Planned',
  ApplyFailed: 'Applied',
  // Applied, then the health check failed: shown in the last step's place.
  Unhealthy: 'Applied',
  Expired: 'Approved',
  Failed: 'Succeeded',
};

export function steps(run: RunView | undefined): Step[] {
  if (!run) return PLAN_PATH.map((label) => ({ label, status: 'todo' }));
  const simple = SIMPLE_PATH.includes(run.state) || run.state === 'Failed' || run.transitions[0]?.state === 'Running';
  const path = simple ? SIMPLE_PATH : PLAN_PATH;
  const at = new Map<string, number>();
  for (const t of run.transitions) at.set(t.state, t.at);
  let idx = path.indexOf(run.state);
  if (idx >= 0) {
    return path.map((label, i) => ({
      label,
      status:
        i < idx
          ? 'done'
          : i === idx
            ? run.state === 'Applied' || run.state === 'Succeeded'
              ? 'done'
              : 'current'
            : 'todo',
      at: at.get(label),
    }));
  }
  // A failure state: find the step it replaces.
  if (run.state === 'Saved') {
    // Saved for a later apply (a run of its own): planning is done, the rest happens elsewhere.
    const saved = path.indexOf('Approved');
    return path.map((label, i) => ({
      label: i === saved ? 'Saved' : label,
      status: i <= saved ? 'done' : 'todo',
      at: i === saved ? at.get('Saved') : at.get(label),
    }));
  }
  const stand = FAILED_AT[run.state];
  if (stand) idx = path.indexOf(stand);
  else {
    // Cancelled / Interrupted: the step after the last one reached.
    let last = -1;
    for (const t of run.transitions) last = Math.max(last, path.indexOf(t.state));
    idx = Math.min(last + 1, path.length - 1);
  }
  return path.map((label, i) => ({
    label: i === idx ? run.state : label,
    status: i < idx ? 'done' : i === idx ? 'failed' : 'todo',
    at: i === idx ? at.get(run.state) : at.get(label),
  }));
}

/** "1m 05s", "820 ms" */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
}
