import type { CredentialSource } from '../credentials/types';
import type { CredentialRedactor } from '../credentials/redact';
import type { RunRecord, RunStore } from '../engine/journal';
import { pushImage, type ImagePusher } from './pushImage';
import { formatReference } from './reference';
import { imageOf, type DeployImage } from '../engine/image';
import type { RetryPolicy } from './retry';
import { isCancelled, messageOf } from '../errors';
import type { ImageRef, PushEvent, PushResult } from './types';

// One push as a recorded run: journal entry (kind "push"), redacted log lines, final state, and the
// tag/digest in the run's meta - which is also what the trees show as "last pushed".

export interface PushRunInput {
  project: string;
  /** The project's folder: the run goes to its history. */
  projectDir?: string;
  environment: string;
  source: string;
  ref: ImageRef;
  credentials: CredentialSource;
  who: string;
  signal?: AbortSignal;
  policy?: RetryPolicy;
  onEvent?: (e: PushEvent) => void;
  /** The git commit the project folder is at (recorded with the image). */
  commit?: string;
  /** The build run that made `source`, when known. */
  buildRun?: string;
}

export interface PushRunDeps {
  pusher: ImagePusher;
  redactor: CredentialRedactor;
  journal?: RunStore;
  /** The log channel; gets the same redacted lines as the journal. */
  log?: (line: string) => void;
}

export async function runPush(deps: PushRunDeps, input: PushRunInput): Promise<PushResult & { runId?: string }> {
  const image = formatReference(input.ref);
  const run = await deps.journal?.begin({
    kind: 'push',
    project: input.project,
    projectDir: input.projectDir,
    environment: input.environment,
    who: input.who,
    meta: { reference: image, source: input.source },
  });
  const write = (line: string) => {
    const safe = deps.redactor.redact(line);
    deps.log?.(safe);
    if (run) void deps.journal!.appendLog(run.id, safe);
  };
  const lastStatus = new Map<string, string>();
  write(`Pushing ${input.source} to ${image}`);
  try {
    const result = await pushImage(deps.pusher, {
      source: input.source,
      ref: input.ref,
      credentials: input.credentials,
      policy: input.policy,
      signal: input.signal,
      onCredential: (c) => {
        deps.redactor.add(c.secret);
        write(`Using credentials for ${input.ref.registry} from ${c.source}`);
      },
      onEvent: (e) => {
        // Byte-level progress goes to the UI only; the log gets each layer's state changes.
        if (e.type === 'layer' && lastStatus.get(e.layer.id) !== e.layer.status) {
          lastStatus.set(e.layer.id, e.layer.status);
          write(`layer ${e.layer.id}: ${e.layer.status}`);
        } else if (e.type === 'status') write(e.message);
        else if (e.type === 'attempt') write(`attempt ${e.attempt} in ${e.delayMs} ms: ${e.reason}`);
        input.onEvent?.(e);
      },
    });
    write(
      `Pushed ${image} (${result.digest}) after ${result.attempts} attempt(s): ${result.layersPushed} layer(s) uploaded, ${result.layersExisting} already there`,
    );
    // Run meta `image`: what a plan of this environment deploys next (`${image}`, by digest).
    const repository = formatReference(input.ref, false);
    const pushed: DeployImage = {
      ref: `${repository}@${result.digest}`,
      digest: result.digest,
      repository,
      tag: input.ref.tag,
      pushedAt: new Date().toISOString(),
      ...(input.buildRun ? { buildRun: input.buildRun } : {}),
      ...(input.commit ? { commit: input.commit } : {}),
    };
    if (run)
      await deps.journal!.end(run.id, 'Succeeded', undefined, {
        image: pushed,
        tag: input.ref.tag,
        digest: result.digest,
        attempts: result.attempts,
      });
    return { ...result, runId: run?.id };
  } catch (err) {
    const cancelled = isCancelled(err);
    const message = deps.redactor.redact(messageOf(err));
    write(cancelled ? 'Push cancelled' : `Push failed: ${message}`);
    if (run) await deps.journal!.end(run.id, cancelled ? 'Cancelled' : 'Failed', cancelled ? undefined : message);
    throw err;
  }
}

export interface LastPush {
  image: string;
  tag: string;
  digest: string;
  at: string;
  who: string;
}

/** The last successful push of an environment (what the trees show for registry environments). */
export function lastPush(
  journal: Pick<RunStore, 'list'>,
  project: string,
  environment: string,
  projectDir?: string,
): LastPush | undefined {
  const r: RunRecord | undefined = journal
    .list({ project, projectDir, environment, kind: 'push' })
    .find((x) => x.state === 'Succeeded' && x.meta?.digest);
  if (!r) return undefined;
  // Older runs recorded the tagged reference as a string in `image`, newer ones in `reference`.
  const reference = imageOf(r)
    ? `${imageOf(r)!.repository}:${imageOf(r)!.tag}`
    : String(r.meta!.reference ?? r.meta!.image);
  return {
    image: reference,
    tag: String(r.meta!.tag),
    digest: String(r.meta!.digest),
    at: r.endedAt ?? r.updatedAt,
    who: r.who,
  };
}
