// The one way tests wait for something that happens asynchronously: ask again until it holds.
import { inspect } from 'node:util';

export interface PollOptions {
  /** What is awaited, as the timeout message should name it ("the container running"). */
  what: string;
  /** How long to keep asking (default 30 s). */
  timeoutMs?: number;
  /** The pause between two questions (default 50 ms). */
  intervalMs?: number;
}

const describe = (v: unknown) => inspect(v, { depth: 3, breakLength: Infinity, maxStringLength: 500 });

/**
 * Calls fn until it returns a truthy value, and returns that value. An error thrown by fn counts as "not yet";
 * at the timeout the error names `what`, the time waited and the last value or error fn gave.
 */
export async function poll<T>(
  fn: () => T | Promise<T>,
  opts: PollOptions,
): Promise<Exclude<T, undefined | null | false | 0 | ''>> {
  const { what, timeoutMs = 30_000, intervalMs = 50 } = opts;
  const end = Date.now() + timeoutMs;
  let last: { value: unknown } | { error: unknown } = { value: undefined };
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as Exclude<T, undefined | null | false | 0 | ''>;
      last = { value: v };
    } catch (error) {
      last = { error };
    }
    if (Date.now() >= end) {
      const seen =
        'error' in last
          ? `last error: ${last.error instanceof Error ? last.error.message : describe(last.error)}`
          : `last value: ${describe(last.value)}`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (${seen})`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
