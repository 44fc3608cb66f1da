import * as path from 'node:path';
import type { ConfigNode } from './tree';
import { child } from './tree';
import type { ConfigDiagnostic, ConfigFix, OffsetRange } from './types';
import { replaceEdit } from './edit';
import { closest, shown } from './similar';
import { diagnosticSink, INSTANCE_NAME } from './rules-helix';
import { imageReferenceProblem, isValidTag } from '../push/reference';

// helix.deploy.toml rules beyond the schema: one deploy tool per environment, a target, an instance that
// exists in the sibling helix.toml, and no credentials in the file.

export const DEPLOY_TOOLS = ['terraform', 'pulumi', 'kubernetes'] as const;

/**
 * The one check of an environment name, used by validate, plan, apply, the panel and the trees: names become
 * file names (`.helix/<env>.plan`), lock keys and arguments of the commands we print, so only
 * `[A-Za-z0-9_-]` is allowed (no `/`, `..`, `$(...)`, control characters). Returns why a name is refused.
 */
export function environmentNameProblem(name: string): string | undefined {
  if (INSTANCE_NAME.test(name) && name.length <= 128) return undefined;
  return `environment name ${JSON.stringify(name)} must contain only ASCII letters, digits, '-', or '_' (at most 128): it names files under .helix/ and appears in commands`;
}

export interface DeployRuleContext {
  file: string;
  /** Folder holding the file, when known: names the resolved folder of a terraform/pulumi dir outside it. */
  dir?: string;
  /** Instance names from the sibling helix.toml, when it exists and parses. */
  instances?: string[];
}

export function deployRules(root: ConfigNode, c: DeployRuleContext): ConfigDiagnostic[] {
  const { out, err } = diagnosticSink();
  const own = child(root, 'instances');
  if (own?.kind === 'table' && c.instances) {
    for (const [name, n] of own.entries!) {
      if (!c.instances.includes(name))
        err(
          n.keyRange ?? n.range,
          'unknown-instance',
          `instance '${name}' not found in helix.toml: [instances.<name>] holds Helix Deploy settings of [local.<name>]`,
        );
    }
  }
  const envs = child(root, 'environments');
  if (envs?.kind !== 'table') return out;
  for (const [name, env] of envs.entries!) {
    if (env.kind !== 'table') continue;
    const at = env.keyRange ?? env.range;
    const badName = environmentNameProblem(name);
    if (badName) err(at, 'environment-name', `${badName} (in ${c.file})`);
    const tools = DEPLOY_TOOLS.filter((t) => env.entries!.has(t));
    if (tools.length === 0 && !env.entries!.has('registry')) {
      err(
        env.range,
        'no-target',
        `environment '${name}' has no target: add terraform, pulumi or kubernetes (to deploy) or registry (to push an image)`,
      );
    }
    for (const t of tools.slice(1)) {
      const n = env.entries!.get(t)!;
      err(
        n.keyRange ?? n.range,
        'two-tools',
        `environment '${name}' uses both ${tools[0]} and ${t}: an environment deploys with one tool; split it into two environments`,
      );
    }
    const inst = child(env, 'instance');
    if (inst?.kind === 'string' && c.instances) {
      const v = String(inst.value);
      if (!c.instances.includes(v)) {
        const guess = closest(v, c.instances);
        const known = c.instances.length ? `; defined: ${c.instances.join(', ')}` : '';
        err(
          inst.range,
          'unknown-instance',
          `instance '${shown(v)}' not found in helix.toml${guess ? `; did you mean '${guess}'?` : known}`,
          guess
            ? [
                {
                  title: `Change to "${guess}"`,
                  edits: [replaceEdit(inst.range, JSON.stringify(guess))],
                  preferred: true,
                },
              ]
            : undefined,
        );
      }
    }
    const reg = child(env, 'registry');
    if (reg?.kind === 'string') {
      const v = String(reg.value);
      if (/^[^/@\s]+:[^/@\s]*@/.test(v.replace(/^[a-z]+:\/\//, ''))) {
        err(
          reg.range,
          'credentials',
          `registry in environment '${name}' contains credentials: remove them from ${c.file} and sign in with \`docker login\` or Helix Deploy: Sign In to Registry`,
        );
      } else if (/^[a-z]+:\/\//i.test(v)) {
        const bare = v.replace(/^[a-z]+:\/\//i, '');
        err(reg.range, 'registry-scheme', `registry is an image repository without a scheme: use "${bare}"`, [
          { title: `Change to "${bare}"`, edits: [replaceEdit(reg.range, JSON.stringify(bare))], preferred: true },
        ]);
      }
    }
    imageRules(env, name, err);
    outsideDirRules(env, name, c, err);
    for (const k of ['liveness', 'readiness']) {
      const u = child(env, 'health', k);
      if (u?.kind === 'string' && !/^(https?:\/\/|\$\{)/.test(String(u.value))) {
        err(u.range, 'health-url', `health.${k} must be an http:// or https:// URL (or start with \${outputs.<name>})`);
      }
    }
    const auto = child(env, 'auto_rollback');
    if (
      auto?.kind === 'boolean' &&
      auto.value === true &&
      !child(env, 'health', 'liveness') &&
      !child(env, 'health', 'readiness')
    ) {
      err(
        auto.range,
        'auto-rollback-no-health',
        `auto_rollback in environment '${name}' never triggers: without health.liveness or health.readiness no apply can end Unhealthy`,
        undefined,
        'warning',
      );
    }
  }
  return out;
}

type Report = (
  range: OffsetRange,
  code: string,
  message: string,
  fixes?: ConfigFix[],
  severity?: ConfigDiagnostic['severity'],
) => void;

/** What makes up `${image}` (registry, image, tag) and a literal `image` variable must be OCI references. */
function imageRules(env: ConfigNode, name: string, err: Report): void {
  for (const k of ['registry', 'image']) {
    const n = child(env, k);
    if (n?.kind !== 'string') continue;
    const v = String(n.value);
    // A scheme or credentials in registry have their own, more precise diagnostics above.
    if (k === 'registry' && /^[a-z]+:\/\/|@/i.test(v)) continue;
    const problem = v.includes('${') ? undefined : imageReferenceProblem(v);
    if (problem) err(n.range, 'image-reference', `${k} in environment '${name}': ${problem}`);
  }
  const tag = child(env, 'tag');
  if (tag?.kind === 'string' && !String(tag.value).includes('${') && !isValidTag(String(tag.value))) {
    err(
      tag.range,
      'image-reference',
      `tag in environment '${name}': ${JSON.stringify(String(tag.value))} is not an image tag (letters, digits, _ . -, at most 128, not starting with . or -)`,
    );
  }
  for (const [tool, key] of [
    ['terraform', 'vars'],
    ['pulumi', 'config'],
    ['kubernetes', ''],
  ] as const) {
    const img = key ? child(env, tool, key, 'image') : child(env, tool, 'image');
    if (img?.kind !== 'string' || String(img.value).includes('${')) continue;
    const problem = imageReferenceProblem(String(img.value));
    if (problem)
      err(img.range, 'image-reference', `${tool}${key ? `.${key}` : ''}.image in environment '${name}': ${problem}`);
  }
}

/** A deploy folder outside the project is allowed but never silent: it is run with the project's variables. */
function outsideDirRules(env: ConfigNode, name: string, c: DeployRuleContext, err: Report): void {
  for (const [tool, key] of [
    ['terraform', 'dir'],
    ['pulumi', 'dir'],
    ['kubernetes', 'manifests'],
  ] as const) {
    const t = child(env, tool);
    const n = t?.kind === 'string' && tool !== 'kubernetes' ? t : child(env, tool, key);
    if (n?.kind !== 'string') continue;
    const v = String(n.value);
    const base = c.dir ?? '.';
    const resolved = path.resolve(base, v);
    const rel = path.relative(path.resolve(base), resolved);
    if (rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) {
      const shown = c.dir ? resolved : v;
      err(
        n.range,
        'dir-outside-project',
        `${tool} ${key} of environment '${name}' is outside the project folder (${shown}): it is planned and applied with this project's variables; move it inside the project if that is not intended`,
        undefined,
        'warning',
      );
    }
  }
}
