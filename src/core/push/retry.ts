// Retry with exponential backoff and full jitter: spreads retries of many clients hitting one registry,
// and gives a flaky network time to recover. Only transient failures are retried.

export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { attempts: 6, baseDelayMs: 500, maxDelayMs: 15_000 };

/** Delay before retry number `retry` (1-based); `random` in [0, 1) picks the jitter. */
export function backoffDelay(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  // Half fixed, half jitter: never zero (a zero delay hammers a registry that just said 503).
  return Math.round(cap / 2 + (cap / 2) * random());
}

/** Resolves after `ms`, or rejects with the signal's reason when cancelled first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
