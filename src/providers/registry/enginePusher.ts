import { messageOf } from '../../core/errors';
import type Docker from 'dockerode';
import type { ImagePusher } from '../../core/push/pushImage';
import { classifyPushError, type EngineMessage, type PushProgress } from '../../core/push/progress';
import { formatReference } from '../../core/push/reference';
import {
  PushCancelledError,
  PushError,
  RegistryAuthError,
  type ImageRef,
  type PushEvent,
  type RegistryCredential,
} from '../../core/push/types';

export interface EnginePusherOptions {
  /** No engine message for this long ends the attempt as a (retryable) timeout. */
  stallTimeoutMs?: number;
  /** Replace the engine's own layer retries by ours once no layer is mid-upload (default true). */
  takeOverRetries?: boolean;
}

/**
 * Pushes through the Docker engine (dockerode), so the user's engine settings (proxies, insecure
 * registries, certs.d) apply as they do for `docker push`.
 *
 * The engine retries a failed layer upload itself (up to 5 times, 5 s, 10 s... apart) while the other
 * layers keep going. Ending the attempt while other layers upload would throw their progress away, so
 * we wait until none is mid-upload, then end it and retry under our own (shorter, jittered, cancellable)
 * policy. What the engine gives up on (the manifest, a dropped connection) comes back as a transient
 * PushError too; the next attempt finds finished layers in the registry ("Layer already exists").
 */
export class EnginePusher implements ImagePusher {
  constructor(
    private readonly docker: Docker,
    private readonly options: EnginePusherOptions = {},
  ) {}

  async tag(source: string, ref: ImageRef): Promise<void> {
    try {
      await this.docker.getImage(source).tag({ repo: formatReference(ref, false), tag: ref.tag });
    } catch (err) {
      throw classifyPushError(messageOf(err), ref.registry);
    }
  }

  /** True when the registry rejects the credential (the engine's `docker login` check). */
  private async credentialRefused(registry: string, credential: RegistryCredential): Promise<boolean> {
    try {
      await this.docker.checkAuth(authConfig(registry, credential));
      return false;
    } catch (err) {
      return classifyPushError(messageOf(err), registry) instanceof RegistryAuthError;
    }
  }

  async push(
    ref: ImageRef,
    credential: RegistryCredential | undefined,
    progress: PushProgress,
    onEvent: (e: PushEvent) => void,
    signal: AbortSignal,
  ): Promise<void> {
    const attempt = new AbortController();
    const abortAttempt = () => attempt.abort();
    signal.addEventListener('abort', abortAttempt, { once: true });
    let stream: NodeJS.ReadableStream;
    try {
      stream = (await this.docker.getImage(formatReference(ref, false)).push({
        tag: ref.tag,
        authconfig: credential ? authConfig(ref.registry, credential) : undefined,
        abortSignal: attempt.signal,
      })) as unknown as NodeJS.ReadableStream;
    } catch (err) {
      signal.removeEventListener('abort', abortAttempt);
      throw classifyPushError(messageOf(err), ref.registry);
    }
    return new Promise<void>((resolve, reject) => {
      let failure: PushError | undefined;
      let probe: Promise<boolean> | undefined;
      let takingOver = false;
      let rest = '';
      let stall: NodeJS.Timeout | undefined;
      const stallMs = this.options.stallTimeoutMs ?? 120_000;
      const armStall = () => {
        clearTimeout(stall);
        stall = setTimeout(
          () =>
            fail(
              new PushError(`No progress from the engine for ${Math.round(stallMs / 1000)} s (timeout)`, 'transient'),
            ),
          stallMs,
        );
      };
      const finish = () => {
        clearTimeout(stall);
        signal.removeEventListener('abort', abortAttempt);
      };
      const fail = (e: PushError) => {
        if (failure) return;
        failure = e;
        attempt.abort();
        (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
        finish();
        reject(e);
      };
      const onLine = (line: string) => {
        if (!line.trim()) return;
        let msg: EngineMessage;
        try {
          msg = JSON.parse(line);
        } catch {
          return;
        }
        const event = progress.accept(msg);
        if (progress.error) return fail(classifyPushError(progress.error, ref.registry));
        if (event?.type === 'layer' && event.layer.status === 'retrying' && credential && !probe) {
          // The engine retries a 401 like a network error, for up to a minute. Ask the registry whether
          // the credential still works; if not (an expired token), stop now so a fresh one is fetched.
          probe = this.credentialRefused(ref.registry, credential).catch(() => false);
          void probe.then(
            (refused) =>
              refused && fail(new RegistryAuthError(ref.registry, 'the credential stopped working during the push')),
          );
        }
        if (event?.type === 'layer' && this.options.takeOverRetries !== false && !takingOver) {
          // Once no layer is mid-upload, nothing in flight would be lost: end the attempt and retry under
          // our policy instead of sitting out the engine's 5-20 s waits.
          const layers = [...progress.layers.values()];
          const retrying = layers.find((l) => l.status === 'retrying');
          if (retrying && !layers.some((l) => l.status === 'pushing')) {
            takingOver = true;
            void (probe ?? Promise.resolve(false)).then((refused) =>
              fail(
                refused
                  ? new RegistryAuthError(ref.registry, 'the credential stopped working during the push')
                  : new PushError(`The engine hit a transient error on layer ${retrying.id}`, 'transient'),
              ),
            );
          }
        }
        if (event) onEvent(event);
      };
      armStall();
      stream.on('data', (chunk: Buffer) => {
        armStall();
        const parts = (rest + chunk.toString('utf8')).split('\n');
        rest = parts.pop() ?? '';
        parts.forEach(onLine);
      });
      stream.on('end', () => {
        onLine(rest);
        if (failure) return;
        finish();
        resolve();
      });
      stream.on('error', (err: Error) =>
        fail(signal.aborted ? new PushCancelledError() : classifyPushError(err.message, ref.registry)),
      );
    });
  }
}

/** The engine's X-Registry-Auth shape. A `<token>` username means an identity token (docker config). */
function authConfig(registry: string, c: RegistryCredential): Record<string, string> {
  if (c.username === '<token>') return { identitytoken: c.secret, serveraddress: registry };
  return { username: c.username, password: c.secret, serveraddress: registry };
}
