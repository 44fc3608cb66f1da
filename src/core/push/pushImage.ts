import { messageOf } from '../errors';
import type { CredentialSource } from '../credentials/types';
import { PushProgress } from './progress';
import { formatReference } from './reference';
import { backoffDelay, defaultRetryPolicy, sleep, type RetryPolicy } from './retry';
import {
  PushCancelledError,
  PushError,
  RegistryAuthError,
  type ImageRef,
  type PushEvent,
  type PushResult,
  type RegistryCredential,
} from './types';

/** The engine side of a push (providers/registry implements it with dockerode). */
export interface ImagePusher {
  /** Gives the local image `source` the name of `ref`. */
  tag(source: string, ref: ImageRef): Promise<void>;
  /**
   * One attempt. Feeds engine messages into `progress` and rejects with a PushError.
   * Finished layers are not re-sent by a later attempt: the engine checks the registry for each blob first.
   */
  push(
    ref: ImageRef,
    credential: RegistryCredential | undefined,
    progress: PushProgress,
    onEvent: (e: PushEvent) => void,
    signal: AbortSignal,
  ): Promise<void>;
}

export interface PushRequest {
  /** Local image (name or id) to push. */
  source: string;
  ref: ImageRef;
  credentials: CredentialSource;
  policy?: RetryPolicy;
  signal?: AbortSignal;
  onEvent?: (e: PushEvent) => void;
  /** Called once with the credential actually used, so the caller can register it for redaction. */
  onCredential?: (c: RegistryCredential) => void;
}

/**
 * Tag + push with retries. Transient failures (5xx, resets, timeouts) back off and retry; a refused
 * credential is invalidated and fetched once more (an expired ECR token, a re-login prompt), then
 * surfaces as RegistryAuthError. Cancel aborts the engine request at once.
 */
export async function pushImage(pusher: ImagePusher, req: PushRequest): Promise<PushResult> {
  const policy = req.policy ?? defaultRetryPolicy;
  const signal = req.signal ?? new AbortController().signal;
  const onEvent = req.onEvent ?? (() => {});
  const checkCancel = () => {
    if (signal.aborted) throw new PushCancelledError();
  };
  checkCancel();
  await pusher.tag(req.source, req.ref);
  let credential = await req.credentials.get(req.ref.registry, signal);
  if (credential) req.onCredential?.(credential);
  let authRetried = false;
  for (let attempt = 1; ; attempt++) {
    checkCancel();
    const progress = new PushProgress();
    try {
      await pusher.push(req.ref, credential, progress, onEvent, signal);
      if (!progress.digest)
        throw new PushError(
          `The engine finished pushing ${formatReference(req.ref)} without reporting a digest`,
          'failed',
        );
      return {
        ref: req.ref,
        digest: progress.digest,
        attempts: attempt,
        layersExisting: progress.count('exists'),
        layersPushed: progress.count('pushed'),
      };
    } catch (err) {
      if (signal.aborted) throw new PushCancelledError();
      if (err instanceof RegistryAuthError && !authRetried) {
        // One fresh credential per push: a token that expired mid-push, or the user typing it again.
        authRetried = true;
        await req.credentials.invalidate?.(req.ref.registry);
        const fresh = await req.credentials.get(req.ref.registry, signal);
        if (fresh) {
          credential = fresh;
          req.onCredential?.(fresh);
          onEvent({
            type: 'attempt',
            attempt: attempt + 1,
            delayMs: 0,
            reason: 'credentials refused; retrying with fresh credentials',
          });
          continue;
        }
      }
      const transient = err instanceof PushError && err.kind === 'transient';
      if (!transient || attempt >= policy.attempts) throw err;
      const delayMs = backoffDelay(policy, attempt);
      onEvent({ type: 'attempt', attempt: attempt + 1, delayMs, reason: messageOf(err) });
      try {
        await sleep(delayMs, signal);
      } catch {
        throw new PushCancelledError();
      }
    }
  }
}
