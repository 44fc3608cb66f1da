import * as path from 'node:path';
import type { Environment, Project } from '../model/types';
import { kubernetesRequest, kubernetesSettings, KubernetesSettingsError } from '../kubernetes/target';
import type { DeployTool } from './provider';
import { substitute, SubstitutionError } from './vars';
import { environmentNameProblem } from '../config/rules-deploy';
import { imageReferenceProblem } from '../push/reference';
import { HelixError, type HelixErrorOptions } from '../errors';

// What the engine plans and applies: an environment of a project, plus values for `${...}`.
// Settings come from helix.deploy.toml (raw table in Environment.settings):
//   terraform = { dir = "infra/staging", vars = { image = "${image}" }, workspace = "staging" }
//   pulumi    = { dir = "infra", stack = "dev", config = { "app:image" = "${image}" } }
//   kubernetes = { context = "prod", namespace = "helix", manifests = "deploy/k8s", image = "${image}" }

export interface DeployTarget {
  project: { name: string; dir: string };
  environment: Environment;
  /** Values for `${name}` known to the caller (e.g. the image just pushed). Merged over the defaults. */
  context?: Record<string, string | undefined>;
}

export interface ResolvedDeploySettings {
  tool: DeployTool;
  dir: string;
  vars: Record<string, unknown>;
  workspace?: string;
  /** Values that came from `${env:NAME}`: treated as secrets (redacted everywhere). */
  secretValues: string[];
}

export class DeployTargetError extends HelixError {
  constructor(message: string, options?: HelixErrorOptions) {
    super('config', message, options);
  }
}

export function toolOf(env: Environment): DeployTool | undefined {
  if (env.kind === 'terraform' || env.kind === 'pulumi' || env.kind === 'kubernetes') return env.kind;
  if (env.settings?.terraform) return 'terraform';
  if (env.settings?.pulumi) return 'pulumi';
  if (env.settings?.kubernetes) return 'kubernetes';
  return undefined;
}

/** Default `${...}` values: what helix.deploy.toml can refer to. */
export function defaultContext(t: DeployTarget): Record<string, string | undefined> {
  const e = t.environment;
  const s = e.settings ?? {};
  const tag = e.tag ?? (typeof s.tag === 'string' ? s.tag : undefined);
  const baseImage =
    e.image ??
    (typeof s.image === 'string' ? s.image : undefined) ??
    (typeof s.registry === 'string' ? s.registry : undefined);
  const image = baseImage && tag && !/[:@][^/]*$/.test(baseImage) ? `${baseImage}:${tag}` : baseImage;
  return {
    project: t.project.name,
    environment: e.name,
    instance: typeof s.instance === 'string' ? s.instance : undefined,
    registry: typeof s.registry === 'string' ? s.registry : undefined,
    tag,
    image,
    ...t.context,
  };
}

export function resolveTarget(t: DeployTarget): ResolvedDeploySettings {
  const badName = environmentNameProblem(t.environment.name);
  if (badName) throw new DeployTargetError(badName);
  const image = defaultContext(t).image;
  const badImage = image === undefined ? undefined : imageReferenceProblem(image);
  // ${image} reaches the tool as a variable and, in user code, possibly a shell word: only a reference passes.
  if (badImage) throw new DeployTargetError(`environments.${t.environment.name}: \${image} ${badImage}`);
  const tool = toolOf(t.environment);
  if (!tool)
    throw new DeployTargetError(
      `environment "${t.environment.name}" has no terraform, pulumi or kubernetes settings in helix.deploy.toml`,
    );
  if (tool === 'kubernetes') return resolveKubernetes(t);
  const raw = t.environment.settings?.[tool];
  const table = (typeof raw === 'string' ? { dir: raw } : (raw ?? {})) as Record<string, unknown>;
  const dir = path.resolve(t.project.dir, typeof table.dir === 'string' ? table.dir : '.');
  const where = `environments.${t.environment.name}.${tool}`;
  const rawVars = (tool === 'terraform' ? table.vars : table.config) ?? {};
  if (typeof rawVars !== 'object' || Array.isArray(rawVars))
    throw new DeployTargetError(`${where}.${tool === 'terraform' ? 'vars' : 'config'} must be a table`);
  let vars: Record<string, unknown>;
  const secretValues: string[] = [];
  try {
    vars = substitute(rawVars, defaultContext(t), `${where}.${tool === 'terraform' ? 'vars' : 'config'}`, (v) =>
      secretValues.push(v),
    ) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof SubstitutionError) throw new DeployTargetError(err.message);
    throw err;
  }
  const ws = tool === 'terraform' ? table.workspace : table.stack;
  return { tool, dir, vars, workspace: typeof ws === 'string' && ws ? ws : undefined, secretValues };
}

/**
 * Kubernetes: the manifests folder and the provider's vars (src/core/kubernetes/target.ts). The image rolled
 * out is the table's `image` with `${...}` filled in (so `image = "${image}"` works as for terraform), else
 * the context's `${image}` (the instance's image pushed to `registry`). A `rollback` context value names the
 * Deployment(s) to roll back instead of rendering the manifests.
 */
function resolveKubernetes(t: DeployTarget): ResolvedDeploySettings {
  const ctx = defaultContext(t);
  const secretValues: string[] = [];
  try {
    const raw = t.environment.settings?.kubernetes;
    // The table, or the environment's own settings for `kind = "kubernetes"` without one (as kubernetesSettings reads them).
    const table = (
      raw && typeof raw === 'object' && !Array.isArray(raw) ? raw : (t.environment.settings ?? {})
    ) as Record<string, unknown>;
    const image =
      typeof table.image === 'string' && table.image.trim()
        ? (substitute(table.image.trim(), ctx, `environments.${t.environment.name}.kubernetes.image`, (v) =>
            secretValues.push(v),
          ) as string)
        : ctx.image;
    // kubernetesSettings reads `image` raw: give it the substituted one.
    const env: Environment = {
      ...t.environment,
      settings: { ...t.environment.settings, kubernetes: { ...table, image } },
    };
    const req = kubernetesRequest(kubernetesSettings(env, t.project.dir), { rollback: ctx.rollback });
    return { tool: 'kubernetes', dir: req.dir, vars: req.vars, workspace: req.workspace, secretValues };
  } catch (err) {
    if (err instanceof SubstitutionError || err instanceof KubernetesSettingsError)
      throw new DeployTargetError(err.message);
    throw err;
  }
}

/**
 * The target for a helix.deploy.toml environment of a project. `${image}` defaults to the image the
 * environment's `instance` (a helix.toml instance) runs, pushed to `registry` when one is set.
 */
export function deployTargetFor(project: Project, envName: string): DeployTarget {
  const badName = environmentNameProblem(envName);
  if (badName) throw new DeployTargetError(badName);
  const env = project.environments.find((e) => e.name === envName && toolOf(e));
  if (!env) {
    const names = project.environments.filter((e) => toolOf(e)).map((e) => e.name);
    throw new DeployTargetError(
      `no Terraform, Pulumi or Kubernetes environment "${envName}" in ${path.join(project.dir, 'helix.deploy.toml')}` +
        (names.length ? ` (available: ${names.join(', ')})` : ' (it defines none)') +
        // A file that does not parse defines nothing: point at the errors rather than at the name.
        (project.errorCount > 0
          ? `; the project's config files have ${project.errorCount} error${project.errorCount === 1 ? '' : 's'}: run \`helix-deploy validate\` in the project folder`
          : ''),
    );
  }
  const s = env.settings ?? {};
  const instance =
    typeof s.instance === 'string'
      ? project.environments.find((e) => e.name === s.instance && e.source === 'helix.toml')
      : undefined;
  const registry = typeof s.registry === 'string' ? s.registry : undefined;
  const tag = (typeof s.tag === 'string' ? s.tag : undefined) ?? instance?.tag;
  const image = registry
    ? tag
      ? `${registry}:${tag}`
      : registry
    : instance?.image
      ? instance.tag
        ? `${instance.image}:${instance.tag}`
        : instance.image
      : undefined;
  return { project: { name: project.name, dir: project.dir }, environment: env, context: { image, tag } };
}

/** A notice when the folder planned (terraform/pulumi dir, kubernetes manifests) is outside the project. */
export function outsideProjectNotice(t: DeployTarget, r: ResolvedDeploySettings): string | undefined {
  const rel = path.relative(path.resolve(t.project.dir), path.resolve(r.dir));
  if (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel)) return undefined;
  return `The ${r.tool} folder of environment "${t.environment.name}" is outside the project folder ${t.project.dir}: ${r.dir}.`;
}
