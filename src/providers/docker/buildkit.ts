import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BuildRequest, BuildResult, EngineInfo, ImageInfo } from '../../core/local/engine';
import { LocalError } from '../../core/local/errors';
import type { Endpoint } from './connect';
import { buildKitFeatures, describeFeature, type BuildKitFeature } from './buildkit-features';
import { buildWithClient, describeClient, findBuildKitClient } from './buildkit-cli';

// Builds whose Dockerfile needs BuildKit go through a BuildKit client (see buildkit-cli.ts); every other
// build stays on the engine's /build API, which also serves Podman (whose builder reads these Dockerfiles).

/** The engine calls this build path needs. */
export interface BuildKitEngine {
  readonly ep: Endpoint;
  ping(): Promise<EngineInfo>;
  inspectImage(ref: string): Promise<ImageInfo | undefined>;
}

/** BuildKit-only constructs of the request's Dockerfile (empty when it cannot be read: the build reports that). */
export function buildKitNeeds(req: BuildRequest): BuildKitFeature[] {
  try {
    return buildKitFeatures(fs.readFileSync(path.join(req.context, req.dockerfile ?? 'Dockerfile'), 'utf8'));
  } catch {
    return [];
  }
}

/** Whether the engine builds these itself through its API (Podman), so no BuildKit client is needed. */
export function apiBuildsBuildKitDockerfiles(ep: Endpoint, info: EngineInfo): boolean {
  return ep.source === 'podman' || /podman/i.test(info.name);
}

/**
 * Builds with the first usable BuildKit client (candidates: docker executables, default every one on PATH).
 * With none, fails before anything is built, naming the feature, its line and what to install.
 */
export async function buildWithBuildKit(
  engine: BuildKitEngine,
  req: BuildRequest,
  needs: BuildKitFeature[],
  candidates?: string[],
): Promise<BuildResult> {
  const first = needs[0];
  const search = await findBuildKitClient(candidates);
  if (!search.client) {
    const found = search.rejected.length ? `found ${search.rejected.join('; ')}` : 'no docker CLI on PATH';
    throw new LocalError(
      'build-failed',
      `This Dockerfile needs BuildKit for ${describeFeature(first)}, which the engine's legacy build API cannot build, and no BuildKit client is available (${found}). ` +
        `Install the Docker Buildx plugin (docker-buildx-plugin; "docker buildx version" must work) and build again.`,
      { failedStep: first.text, image: req.tag },
    );
  }
  const client = search.client;
  req.onLine?.(
    `Building with BuildKit through ${describeClient(client)}: needed for ${needs.map((n) => `${n.feature} (line ${n.line})`).join(', ')}`,
  );
  let imageId: string | undefined;
  try {
    ({ imageId } = await buildWithClient(client, engine.ep, req));
  } catch (err) {
    if (!(err instanceof LocalError) || err.code !== 'build-failed') throw err;
    // An engine that went away mid-build: say so as the API path does (Start Docker, permission denied).
    await engine.ping();
    const heredoc = needs.find((n) => /heredoc/.test(n.feature));
    if (heredoc && /unknown instruction|dockerfile parse error/i.test(err.message)) {
      throw new LocalError(
        'build-failed',
        `${err.message} (the engine's built-in Dockerfile frontend predates heredocs, line ${heredoc.line}: add "# syntax=docker/dockerfile:1" as the first line to use the current frontend, or upgrade the engine)`,
        { ...err.detail, failedStep: err.detail.failedStep ?? heredoc.text },
      );
    }
    throw err;
  }
  const img = await engine.inspectImage(req.tag);
  if (!img)
    throw new LocalError(
      'build-failed',
      `Build finished but image ${req.tag} is missing from ${engine.ep.url} (is the BuildKit client's builder another engine? "docker buildx use default").`,
      { image: req.tag },
    );
  return { imageId: imageId ?? img.id, tag: req.tag, size: img.size };
}
