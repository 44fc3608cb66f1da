import { HelixError } from '../errors';
import { PLAN_STATES, SIMPLE_STATES, type PlanRunState, type RunState, type SimpleRunState } from './states';

// Every legal transition of a run, in one place. Anything not listed here is refused.
// The engine calls `assertTransition` before writing a state to the journal.

export const PLAN_TRANSITIONS: Readonly<Record<PlanRunState, readonly PlanRunState[]>> = {
  Draft: ['Planning', 'Cancelled', 'Interrupted'],
  Planning: ['Planned', 'PlanFailed', 'Cancelled', 'Interrupted'],
  // A plan waits for a person: approve it, let it expire, discard it (Cancelled).
  Planned: ['Approved', 'Expired', 'Cancelled', 'Interrupted', 'Saved'],
  // Approved but not yet applied can still expire or be discarded.
  Approved: ['Applying', 'Expired', 'Cancelled', 'Interrupted'],
  // Expired from Applying: terraform refused the saved plan as stale before changing anything.
  // Unhealthy: the tool applied, then the environment's health check failed.
  Applying: ['Applied', 'Unhealthy', 'ApplyFailed', 'Cancelled', 'Expired', 'Interrupted'],
  PlanFailed: [],
  Applied: [],
  Unhealthy: [],
  ApplyFailed: [],
  Cancelled: [],
  Expired: [],
  Interrupted: [],
  Saved: [],
};

export const SIMPLE_TRANSITIONS: Readonly<Record<SimpleRunState, readonly SimpleRunState[]>> = {
  Running: ['Succeeded', 'Failed', 'Cancelled', 'Interrupted'],
  Succeeded: [],
  Failed: [],
  Cancelled: [],
  Interrupted: [],
};

/** Plan-first run kinds use PLAN_TRANSITIONS; every other kind the simple ones. */
export function isPlanKind(kind: string): boolean {
  // A rollback is itself a planned run (reviewed and approved like any plan).
  return kind === 'plan' || kind === 'apply' || kind === 'destroy' || kind === 'rollback';
}

export class IllegalTransitionError extends HelixError {
  constructor(
    readonly from: RunState,
    readonly to: RunState,
    readonly runId?: string,
  ) {
    super('illegal', `${runId ? `run ${runId}: ` : ''}cannot go from ${from} to ${to}${hint(from, to)}`);
  }
}

function hint(from: RunState, to: RunState): string {
  if (to === 'Approved')
    return from === 'Expired' ? ' (the plan expired: re-plan)' : ' (only a Planned run can be approved)';
  if (to === 'Applying')
    return from === 'Planned' ? ' (approve the plan first)' : ' (only an Approved run can be applied)';
  if (from === 'Expired') return ' (the plan expired: re-plan)';
  return '';
}

export function canTransition(kind: string, from: RunState, to: RunState): boolean {
  if (isPlanKind(kind)) {
    const next = (PLAN_TRANSITIONS as Record<string, readonly string[]>)[from];
    return !!next && next.includes(to);
  }
  const next = (SIMPLE_TRANSITIONS as Record<string, readonly string[]>)[from];
  return !!next && next.includes(to);
}

export function assertTransition(kind: string, from: RunState, to: RunState, runId?: string): void {
  if (!canTransition(kind, from, to)) throw new IllegalTransitionError(from, to, runId);
}

/** All states of the machine used by `kind` (for exhaustive tests and UIs). */
export function statesOf(kind: string): readonly RunState[] {
  return isPlanKind(kind) ? PLAN_STATES : SIMPLE_STATES;
}
