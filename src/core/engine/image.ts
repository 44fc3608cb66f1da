import * as path from 'node:path';
import type { RunRecord, RunStore } from './journal';
import type { DeployTarget } from './target';
import { isPushTarget } from '../push/target';
import { DeployError } from './errors';
import { shellQuote } from '../process/shell-quote';

// What you pushed is what deploys: `${image}` of an environment that pushes an image (it has a `registry`)
// is the image last pushed for that environment, by digest, found in the project's run history. Push runs
// record it as run meta `image`; the plan/apply/rollback run that used it records the same object.

/** Run meta `image` of a push run, and of the plan/apply/rollback run that deployed it. */
export interface DeployImage {
  /** `repo@sha256:...`: what the tools get for `${image}`. */
  ref: string;
  digest: string;
  /** `host/path` without tag or digest. */
  repository: string;
  tag: string;
  pushedAt: string;
  /** The build run the pushed image came from, when known. */
  buildRun?: string;
  /** The git commit the project folder was at when pushed. */
  commit?: string;
}

/** The image a run's meta records, if it is a well-formed one. */
export function imageOf(run: Pick<RunRecord, 'meta'> | undefined): DeployImage | undefined {
  const m = run?.meta?.image as Partial<DeployImage> | undefined;
  if (
    !m ||
    typeof m !== 'object' ||
    typeof m.ref !== 'string' ||
    typeof m.digest !== 'string' ||
    !/^sha256:[0-9a-f]{64}$/.test(m.digest)
  )
    return undefined;
  return m as DeployImage;
}

/** The latest successful push of this environment in this project folder's history (failed or cancelled ones never count). */
export function lastPushedImage(
  journal: Pick<RunStore, 'list'>,
  project: string,
  environment: string,
  projectDir?: string,
): { run: RunRecord; image: DeployImage } | undefined {
  for (const run of journal.list({
    project,
    projectDir: projectDir === undefined ? undefined : path.resolve(projectDir),
    environment,
    kind: 'push',
  })) {
    if (run.state !== 'Succeeded') continue;
    const image = imageOf(run);
    if (image) return { run, image };
  }
  return undefined;
}

/**
 * Whether `${image}` of this environment comes from its pushes: it pushes an image (a `registry`) and its
 * tool settings use `${image}` (kubernetes without an `image` key rolls out `${image}` too). A literal image
 * written in helix.deploy.toml is the escape hatch: used as written.
 */
export function usesPushedImage(target: Pick<DeployTarget, 'environment'>): boolean {
  const env = target.environment;
  if (!isPushTarget(env)) return false;
  const s = env.settings ?? {};
  if (s.kubernetes !== undefined || env.kind === 'kubernetes') {
    const table = (s.kubernetes && typeof s.kubernetes === 'object' ? s.kubernetes : s) as Record<string, unknown>;
    if (typeof table.image !== 'string' || !table.image.trim()) return true;
    return table.image.includes('${image}');
  }
  const table = s.terraform ?? s.pulumi;
  return JSON.stringify(table ?? null).includes('${image}');
}

/** `helix-deploy push ENV [--project DIR]`, shell-quoted, for a person to paste. */
export function pushCommand(target: Pick<DeployTarget, 'environment' | 'project'>, cwd = process.cwd()): string {
  const project = path.resolve(target.project.dir);
  return shellQuote([
    'helix-deploy',
    'push',
    target.environment.name,
    ...(project === cwd ? [] : ['--project', project]),
  ]);
}

/**
 * The pushed image `${image}` resolves to for a plan of this target, or undefined when the environment does
 * not take its image from pushes. Throws DeployError('not-pushed', ['Push Image']) when nothing was pushed yet.
 */
export function pushedImageFor(journal: Pick<RunStore, 'list'>, target: DeployTarget): DeployImage | undefined {
  if (!usesPushedImage(target)) return undefined;
  const found = lastPushedImage(journal, target.project.name, target.environment.name, target.project.dir);
  if (found) return found.image;
  throw new DeployError(
    'not-pushed',
    `Nothing to deploy: no image was pushed for environment ${target.environment.name} yet, and its \${image} is the image last pushed for it (by digest). ` +
      `Push Image first (CLI: ${pushCommand(target)}), or write a literal image in helix.deploy.toml instead of \${image}. Nothing was run.`,
    ['Push Image'],
  );
}

/** One line for plan headers and the CLI: which image, from which build and commit, pushed when. */
export function describeImage(image: DeployImage): string {
  const from = [
    `tag ${image.tag}`,
    image.commit ? `commit ${image.commit.slice(0, 12)}` : undefined,
    image.buildRun ? `build run ${image.buildRun}` : undefined,
    `pushed ${image.pushedAt}`,
  ];
  return `${image.ref} (${from.filter(Boolean).join(', ')})`;
}

/** The latest successful build run of the project that made the local image `source` (build runs record it as meta `image`). */
export function lastBuildRun(
  journal: Pick<RunStore, 'list'>,
  project: { name: string; dir: string },
  source: string,
): string | undefined {
  return journal
    .list({ project: project.name, projectDir: path.resolve(project.dir), kind: 'build' })
    .find((r) => r.state === 'Succeeded' && r.meta?.image === source)?.id;
}
