import * as vscode from 'vscode';

/** What a command running under a progress notification gets: the cancellation (both shapes) and a reporter. */
export interface ProgressRun {
  /** Aborted when the user presses Cancel: pass it to core code. */
  readonly signal: AbortSignal;
  readonly token: vscode.CancellationToken;
  report(message?: string, increment?: number): void;
}

export interface ProgressOptions {
  title: string;
  /** Default: a notification. */
  location?: vscode.ProgressLocation;
  /** Default true: a Cancel button that aborts `signal`. */
  cancellable?: boolean;
}

/** The one progress-with-cancellation wrapper of the VS Code layer (the registrar and features use it). */
export function withProgress<T>(o: ProgressOptions, fn: (run: ProgressRun) => PromiseLike<T>): Thenable<T> {
  const location = o.location ?? vscode.ProgressLocation.Notification;
  return vscode.window.withProgress(
    { location, title: o.title, cancellable: o.cancellable ?? true },
    (progress, token) => {
      const ac = new AbortController();
      const sub = token.onCancellationRequested(() => ac.abort());
      const run: ProgressRun = {
        signal: ac.signal,
        token,
        report: (message, increment) => progress.report({ message, increment }),
      };
      return Promise.resolve(fn(run)).finally(() => sub.dispose());
    },
  );
}
