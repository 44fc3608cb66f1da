import * as fs from 'node:fs';
import * as path from 'node:path';
import { containerName, type Environment, type Project } from '../model/types';

// How the helix CLI names and wires a local instance, so a container started here is the one
// `helix status|logs|stop` finds, and vice versa (the naming rule: docs/helix-cli-compat.md).

export const LABEL_PROJECT = 'helix.project';
export const LABEL_ENVIRONMENT = 'helix.environment';
/** Folder of the project, so two checkouts of the same project name do not mix. */
export const LABEL_DIR = 'helix.dir';
/** Set on a helper container of an instance (e.g. its storage sidecar), so views never take it for an instance. */
export const LABEL_ROLE = 'helix.role';
export const STORAGE_ROLE = 'storage';

/** The v3 server listens on 8080 inside the container; v2's helix-container listens on HELIX_PORT. */
export const V3_CONTAINER_PORT = 8080;
export const DEFAULT_PORT = 6969;

export interface LocalInstance {
  project: Project;
  environment: Environment;
}

export function nameOf(t: LocalInstance): string {
  return containerName(t.project.name, t.environment.name);
}

export function hostPort(t: LocalInstance): number {
  const p = t.environment.port ?? Number(t.environment.settings.port);
  return Number.isInteger(p) && p > 0 && p < 65536 ? p : DEFAULT_PORT;
}

/** Container port for a host port: v3 maps to 8080, v2 uses the same port inside (HELIX_PORT). */
export function containerPort(t: LocalInstance, host: number): number {
  return t.project.generation === 'v2' ? host : V3_CONTAINER_PORT;
}

export function labelsOf(t: LocalInstance): Record<string, string> {
  return { [LABEL_PROJECT]: t.project.name, [LABEL_ENVIRONMENT]: t.environment.name, [LABEL_DIR]: t.project.dir };
}

/** What the image reference is: `image:tag` from helix.toml, else the v2-style `helix-<p>-<i>:dev` we build. */
export function imageRef(t: LocalInstance): string {
  const s = t.environment.settings;
  const image = t.environment.image ?? (typeof s.image === 'string' ? s.image : undefined);
  const tag = t.environment.tag ?? (typeof s.tag === 'string' ? s.tag : undefined);
  if (image) return image.includes('@') || /:[^/]+$/.test(image) ? image : `${image}:${tag ?? 'latest'}`;
  return `${nameOf(t)}:${tag ?? 'dev'}`;
}

export interface BuildPlan {
  context: string;
  dockerfile: string;
  tag: string;
  buildArgs: Record<string, string>;
}

/** Helix Deploy's own keys of a local instance: never read by the helix CLI, which deletes them from helix.toml. */
export const OWN_KEYS = ['build', 'health', 'sidecar_image'] as const;
export type OwnKey = (typeof OWN_KEYS)[number];

/**
 * One of Helix Deploy's own settings: `[instances.<n>]` in helix.deploy.toml, else (older projects, warned about
 * in the editor) the same key in helix.toml's `[local.<n>]`.
 */
export function ownSetting(e: Environment, key: OwnKey): unknown {
  return e.own?.[key] ?? e.settings[key];
}

/**
 * Where to build from: `build = "dir"` or `build = { context, dockerfile, args }` (see ownSetting). Without it:
 * the project folder's Dockerfile. Returns undefined when there is nothing to build (the CLI would pull a
 * prebuilt image instead).
 */
export function buildPlan(t: LocalInstance): BuildPlan | undefined {
  const b = ownSetting(t.environment, 'build');
  let context = t.project.dir;
  let dockerfile = 'Dockerfile';
  let buildArgs: Record<string, string> = {};
  if (typeof b === 'string') context = path.resolve(t.project.dir, b);
  else if (b && typeof b === 'object') {
    const o = b as Record<string, unknown>;
    if (typeof o.context === 'string') context = path.resolve(t.project.dir, o.context);
    if (typeof o.dockerfile === 'string') dockerfile = o.dockerfile;
    if (o.args && typeof o.args === 'object')
      buildArgs = Object.fromEntries(Object.entries(o.args).map(([k, v]) => [k, String(v)]));
  }
  if (!fs.existsSync(path.join(context, dockerfile))) return undefined;
  return { context, dockerfile, tag: imageRef(t), buildArgs };
}
