import type { Environment, Project } from '../model/types';
import { parseReference } from './reference';
import type { ImageRef } from './types';

// Where an environment's image goes and which local image is pushed. Only environments that push an
// image have a target: helix.deploy.toml `registry = ...`, v2 `[cloud.<n>.ecr]` and `[cloud.<n>.fly]`.

export function isPushTarget(env: Environment): boolean {
  return (
    env.kind === 'registry' ||
    env.kind === 'ecr' ||
    env.kind === 'fly' ||
    (typeof env.settings.registry === 'string' && env.settings.registry.length > 0)
  );
}

/** The Fly app the helix CLI v2 creates for an instance: `helix-<project>-<instance>`, `_` -> `-`, at most 32 chars. */
export function flyAppName(project: string, instance: string, settings: Record<string, unknown> = {}): string {
  if (typeof settings.app_name === 'string' && settings.app_name) return settings.app_name;
  return `helix-${project}-${instance}`
    .toLowerCase()
    .replace(/_/g, '-')
    .replace(/[^a-z0-9-]/g, '-')
    .slice(0, 32)
    .replace(/-+$/, '');
}

/**
 * The repository (tag added by the caller) an environment pushes to. `ecrRegistry` is the account's
 * registry host from the ECR token API, for v2 ECR instances without `registry_url`.
 */
export function pushRepository(project: Project, env: Environment, ecrRegistry?: string): ImageRef {
  const s = env.settings;
  if (typeof s.registry === 'string' && s.registry) return parseReference(s.registry);
  if (env.kind === 'ecr') {
    const host =
      typeof s.registry_url === 'string' && s.registry_url
        ? s.registry_url.replace(/^https?:\/\//, '').replace(/\/+$/, '')
        : ecrRegistry;
    if (!host)
      throw new Error(`ECR environment "${env.name}" has no registry_url and the ECR account registry is unknown`);
    const repo =
      typeof s.repository_name === 'string' && s.repository_name
        ? s.repository_name
        : `helix-${project.name}-${env.name}`;
    return parseReference(`${host}/${repo}`);
  }
  if (env.kind === 'fly') return parseReference(`registry.fly.io/${flyAppName(project.name, env.name, s)}`);
  throw new Error(`Environment "${env.name}" (${env.kind}) does not push an image`);
}

/**
 * The local image to push: the image of the helix.toml instance named by `instance = "..."`, or the
 * image the helix CLI v2 builds for this instance (`helix-<project>-<instance>:latest|dev`).
 */
export function sourceImage(project: Project, env: Environment): string {
  const instance = typeof env.settings.instance === 'string' ? env.settings.instance : env.name;
  const local = project.environments.find((e) => e.kind === 'local' && e.name === instance);
  if (local?.image) return `${local.image}:${local.tag ?? 'latest'}`;
  const mode = (local?.settings.build_mode ?? env.settings.build_mode) === 'dev' ? 'dev' : 'latest';
  return `helix-${project.name}-${instance}:${mode}`;
}
