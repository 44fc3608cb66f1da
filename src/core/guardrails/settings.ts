import * as fs from 'node:fs';
import * as path from 'node:path';
import { CHANGE_ACTIONS, type ChangeAction } from '../plan/model';
import { child, toPlain, type ConfigNode } from '../config/tree';
import { validateConfig } from '../config/validate';
import type { GuardrailContext, UserRule } from './types';

// The guardrail settings of an environment, read from helix.deploy.toml at each plan (a rule changed in the
// file counts from the next plan on):
//   [guardrails]
//   policy = { conftest = "policy/" }          # the team's Rego policies, run with conftest
//   [[guardrails.rules]]
//   effect = "deny"                            # or "warn"
//   type = "aws_db_*"                          # glob on the resource type (optional)
//   actions = ["delete", "replace"]            # default: create, update, delete, replace
//   environments = ["prod*"]                   # default: every environment
//   [environments.prod]
//   protected = true
//   allow_destroy = ["aws_db_instance.legacy"] # destroys/replaces of data allowed in this protected environment

export function guardrailContext(projectDir: string, environment: string, isProtected: boolean): GuardrailContext {
  const ctx: GuardrailContext = { environment, protected: isProtected, allowDestroy: [], rules: [], configErrors: [] };
  const file = path.join(projectDir, 'helix.deploy.toml');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return ctx; // no helix.deploy.toml: built-in rules only
  }
  const res = validateConfig(text, { kind: 'deploy', file, dir: projectDir });
  const root = res.tree;
  if (!root) {
    ctx.configErrors.push(`${file} cannot be read: ${res.diagnostics[0]?.message ?? 'syntax error'}`);
    return ctx;
  }
  const g = child(root, 'guardrails');
  const allow = child(root, 'environments', environment, 'allow_destroy');
  // Errors inside the guardrail settings block the plan: a rule that is not understood is never skipped.
  const ranges = [g, allow].flatMap((n) => descendants(n)).map((n) => n.range);
  const rules = child(g, 'rules');
  for (const d of res.diagnostics) {
    if (d.severity === 'error' && ranges.some((r) => d.start >= r.start && d.end <= r.end))
      ctx.configErrors.push(`${file}: ${d.message}`);
  }
  const allowList = allow ? toPlain(allow) : [];
  if (Array.isArray(allowList)) ctx.allowDestroy = allowList.filter((x): x is string => typeof x === 'string');
  if (rules?.kind === 'array')
    ctx.rules = rules.items!.map((n) => toRule(toPlain(n))).filter((r): r is UserRule => !!r);
  const policy = child(g, 'policy', 'conftest');
  if (policy?.kind === 'string' && String(policy.value))
    ctx.conftestPolicy = path.resolve(projectDir, String(policy.value));
  return ctx;
}

function descendants(n: ConfigNode | undefined): ConfigNode[] {
  if (!n) return [];
  const kids = n.kind === 'table' ? [...n.entries!.values()] : n.kind === 'array' ? n.items! : [];
  return [n, ...kids.flatMap(descendants)];
}

function toRule(v: unknown): UserRule | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const o = v as Record<string, unknown>;
  if (o.effect !== 'deny' && o.effect !== 'warn') return undefined;
  const strings = (x: unknown) => (Array.isArray(x) ? x.filter((s): s is string => typeof s === 'string') : undefined);
  return {
    effect: o.effect,
    type: typeof o.type === 'string' ? o.type : undefined,
    address: typeof o.address === 'string' ? o.address : undefined,
    actions: strings(o.actions)?.filter((a): a is ChangeAction => (CHANGE_ACTIONS as readonly string[]).includes(a)),
    environments: strings(o.environments),
    message: typeof o.message === 'string' ? o.message : undefined,
  };
}
