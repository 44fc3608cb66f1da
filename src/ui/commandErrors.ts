// What the command registrar shows for a thrown error. Pure (no `vscode` import) so the rules are unit-tested.
import { HelixError, isCancelled, messageOf } from '../core/errors';
import { isRestrictedModeError } from '../core/trust/gate';

export type CommandNotice =
  /** The one Restricted Mode message with Manage Workspace Trust. */
  | { kind: 'restricted' }
  /** Stopped on request: a log line, never a popup. */
  | { kind: 'cancelled' }
  | { kind: 'error'; message: string; actions: string[]; log: string; level: 'warn' | 'error' };

export interface NoticeOptions {
  /** Prefix of the message of an error that is not a HelixError; undefined: the message stands alone. */
  prefix: string | undefined;
  /** Whether a button of that label can act (labels without a handler are not offered). */
  handles: (action: string) => boolean;
}

export function commandNotice(err: unknown, o: NoticeOptions): CommandNotice {
  if (isRestrictedModeError(err)) return { kind: 'restricted' };
  if (isCancelled(err)) return { kind: 'cancelled' };
  if (err instanceof HelixError) {
    return {
      kind: 'error',
      message: err.message,
      actions: err.actions.filter(o.handles),
      log: `${err.code}: ${err.message}`,
      level: 'warn',
    };
  }
  // Not an error a person can act on as such: a bug or an outside failure, with its stack in the log.
  const message = messageOf(err);
  const log = err instanceof Error && err.stack ? err.stack : message;
  return {
    kind: 'error',
    message: o.prefix ? `${o.prefix}: ${message}` : message,
    actions: ['Show Log'],
    log,
    level: 'error',
  };
}
