// Errors the engine reports to people: a code for programs, a message that says what to do, and the
// actions a UI should offer (VS Code shows them as buttons, the CLI as hints).

export type EngineErrorCode =
  | 'busy'
  | 'expired'
  | 'stale'
  | 'illegal'
  | 'not-found'
  | 'tool-missing'
  | 'config'
  | 'hash-mismatch'
  | 'tampered'
  | 'not-pushed'
  | 'guardrail-denied';

export type RunAction = 'Re-plan' | 'Show Run' | 'Set Path' | 'Show Plan' | 'Open Settings' | 'Push Image';

export class EngineError extends Error {
  constructor(
    readonly code: EngineErrorCode,
    message: string,
    readonly actions: RunAction[] = [],
    readonly details: { runId?: string; setting?: string } = {},
  ) {
    super(message);
  }
}
