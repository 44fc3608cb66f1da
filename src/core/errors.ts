// The one error model. Every failure a person can act on is a HelixError: a stable code for programs and
// tests, a message that says what happened and what to do, the actions a UI offers (VS Code shows them as
// buttons, the CLI as hints), the underlying cause, and whether it is a cancellation (never shown as a failure).

export interface HelixErrorOptions {
  /** Labels of what the user can do next, e.g. 'Re-plan', 'Start Docker'. */
  actions?: readonly string[];
  cause?: unknown;
  /** True when the user (or a signal) stopped the work: reported as Cancelled, not as an error. */
  cancelled?: boolean;
}

export class HelixError extends Error {
  readonly actions: readonly string[];
  readonly cancelled: boolean;

  constructor(
    readonly code: string,
    message: string,
    options: HelixErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.actions = options.actions ?? [];
    this.cancelled = options.cancelled ?? false;
  }

  /** What a person reads: the message without a stack. */
  get userMessage(): string {
    return this.message;
  }
}

/** Work stopped on request (Cancel button, Ctrl-C, SIGTERM, a closed panel). */
export class CancelledError extends HelixError {
  constructor(message = 'Cancelled', options: Omit<HelixErrorOptions, 'cancelled'> = {}) {
    super('cancelled', message, { ...options, cancelled: true });
  }
}

/** The text to show for anything thrown: an Error's message, otherwise its string form. */
export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'string') return err;
  try {
    return String(err);
  } catch {
    return 'Unknown error';
  }
}

/**
 * True for every way work reports that it was stopped on request: our CancelledError (or any HelixError marked
 * cancelled), an AbortSignal's AbortError, and VS Code's CancellationError (named 'Canceled').
 */
export function isCancelled(err: unknown): boolean {
  if (err instanceof HelixError) return err.cancelled;
  if (err instanceof Error) return err.name === 'AbortError' || err.name === 'Canceled';
  return false;
}

/** The code of a HelixError, for callers that branch on it; undefined for anything else. */
export function codeOf(err: unknown): string | undefined {
  return err instanceof HelixError ? err.code : undefined;
}
