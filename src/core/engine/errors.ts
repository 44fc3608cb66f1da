import { HelixError } from '../errors';

// Errors the engine reports to people: a code for programs, a message that says what to do, and the
// actions a UI should offer (VS Code shows them as buttons, the CLI as hints).

export type DeployErrorCode =
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

export class DeployError extends HelixError {
  declare readonly code: DeployErrorCode;
  declare readonly actions: readonly RunAction[];

  constructor(
    code: DeployErrorCode,
    message: string,
    actions: RunAction[] = [],
    readonly details: { runId?: string; setting?: string } = {},
  ) {
    super(code, message, { actions });
  }
}
