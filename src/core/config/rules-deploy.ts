import type { ConfigNode } from './tree';
import { child } from './tree';
import type { ConfigDiagnostic, ConfigFix, OffsetRange } from './types';
import { replaceEdit } from './edit';
import { closest, shown } from './similar';
import { INSTANCE_NAME } from './rules-helix';

// helix.deploy.toml rules beyond the schema: one deploy tool per environment, a target, an instance that
// exists in the sibling helix.toml, and no credentials in the file.

export const DEPLOY_TOOLS = ['terraform', 'pulumi', 'kubernetes'] as const;

export interface DeployRuleContext {
  file: string;
  /** Instance names from the sibling helix.toml, when it exists and parses. */
  instances?: string[];
}

export function deployRules(root: ConfigNode, c: DeployRuleContext): ConfigDiagnostic[] {
  const out: ConfigDiagnostic[] = [];
  const err = (range: OffsetRange, code: string, message: string, fixes?: ConfigFix[], severity: ConfigDiagnostic['severity'] = 'error') =>
    out.push({ start: range.start, end: range.end, severity, code, message, fixes });
  const own = child(root, 'instances');
  if (own?.kind === 'table' && c.instances) {
    for (const [name, n] of own.entries!) {
      if (!c.instances.includes(name)) err(n.keyRange ?? n.range, 'unknown-instance', `instance '${name}' not found in helix.toml: [instances.<name>] holds Helix Deploy settings of [local.<name>]`);
    }
  }
  const envs = child(root, 'environments');
  if (envs?.kind !== 'table') return out;
  for (const [name, env] of envs.entries!) {
    if (env.kind !== 'table') continue;
    const at = env.keyRange ?? env.range;
    if (!INSTANCE_NAME.test(name)) err(at, 'environment-name', `environment name '${name}' in ${c.file} must contain only ASCII letters, digits, '-', or '_'`);
    const tools = DEPLOY_TOOLS.filter((t) => env.entries!.has(t));
    if (tools.length === 0 && !env.entries!.has('registry')) {
      err(env.range, 'no-target', `environment '${name}' has no target: add terraform, pulumi or kubernetes (to deploy) or registry (to push an image)`);
    }
    for (const t of tools.slice(1)) {
      const n = env.entries!.get(t)!;
      err(n.keyRange ?? n.range, 'two-tools', `environment '${name}' uses both ${tools[0]} and ${t}: an environment deploys with one tool; split it into two environments`);
    }
    const inst = child(env, 'instance');
    if (inst?.kind === 'string' && c.instances) {
      const v = String(inst.value);
      if (!c.instances.includes(v)) {
        const guess = closest(v, c.instances);
        const known = c.instances.length ? `; defined: ${c.instances.join(', ')}` : '';
        err(inst.range, 'unknown-instance', `instance '${shown(v)}' not found in helix.toml${guess ? `; did you mean '${guess}'?` : known}`, guess ? [{ title: `Change to "${guess}"`, edits: [replaceEdit(inst.range, JSON.stringify(guess))], preferred: true }] : undefined);
      }
    }
    const reg = child(env, 'registry');
    if (reg?.kind === 'string') {
      const v = String(reg.value);
      if (/^[^/@\s]+:[^/@\s]*@/.test(v.replace(/^[a-z]+:\/\//, ''))) {
        err(reg.range, 'credentials', `registry in environment '${name}' contains credentials: remove them from ${c.file} and sign in with \`docker login\` or Helix Deploy: Sign In to Registry`);
      } else if (/^[a-z]+:\/\//i.test(v)) {
        const bare = v.replace(/^[a-z]+:\/\//i, '');
        err(reg.range, 'registry-scheme', `registry is an image repository without a scheme: use "${bare}"`, [{ title: `Change to "${bare}"`, edits: [replaceEdit(reg.range, JSON.stringify(bare))], preferred: true }]);
      }
    }
    for (const k of ['liveness', 'readiness']) {
      const u = child(env, 'health', k);
      if (u?.kind === 'string' && !/^(https?:\/\/|\$\{)/.test(String(u.value))) {
        err(u.range, 'health-url', `health.${k} must be an http:// or https:// URL (or start with \${outputs.<name>})`);
      }
    }
  }
  return out;
}
