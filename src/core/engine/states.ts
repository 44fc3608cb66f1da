// Run states, shared by every kind of run. Plan-first runs (plan/apply/destroy/rollback) walk the plan
// states; simple runs (build/start/stop/push...) use Running -> Succeeded | Failed | Cancelled.
// Transitions themselves are enforced in ./machine.ts.

export const PLAN_STATES = [
  'Draft',
  'Planning',
  'Planned',
  'PlanFailed',
  'Approved',
  'Applying',
  'Applied',
  // Applied, but the health check after it failed (liveness or readiness): a deployment not to keep.
  'Unhealthy',
  'ApplyFailed',
  'Cancelled',
  'Expired',
  'Interrupted',
  // The plan was saved to a file for a later apply (`helix-deploy plan`); that apply is a run of its own.
  'Saved',
] as const;

export const SIMPLE_STATES = ['Running', 'Succeeded', 'Failed', 'Cancelled', 'Interrupted'] as const;

export type PlanRunState = (typeof PLAN_STATES)[number];
export type SimpleRunState = (typeof SIMPLE_STATES)[number];
export type RunState = PlanRunState | SimpleRunState;

const TERMINAL: ReadonlySet<RunState> = new Set<RunState>([
  'PlanFailed',
  'Applied',
  'Unhealthy',
  'ApplyFailed',
  'Cancelled',
  'Expired',
  'Interrupted',
  'Saved',
  'Succeeded',
  'Failed',
]);

/** A terminal run never changes again. Planned/Approved are not terminal: they wait for a person. */
export function isTerminal(state: RunState): boolean {
  return TERMINAL.has(state);
}

/** States in which a run holds its environment's lock (something is running or waits for approval/apply). */
export function holdsLock(state: RunState): boolean {
  return !isTerminal(state);
}

/** Kinds of run recorded in the journal. */
export type RunKind =
  'plan' | 'apply' | 'destroy' | 'build' | 'start' | 'stop' | 'restart' | 'push' | 'rollback' | (string & {});

const ALL_STATES: ReadonlySet<string> = new Set<string>([...PLAN_STATES, ...SIMPLE_STATES]);

/** Whether a value read from a file is one of the run states. */
export function isRunState(v: unknown): v is RunState {
  return typeof v === 'string' && ALL_STATES.has(v);
}
