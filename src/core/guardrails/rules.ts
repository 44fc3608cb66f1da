import type { PlanModel, ResourceChange } from '../plan/model';
import { matchesGlob } from './glob';
import type { GuardrailContext, GuardrailFinding, UserRule } from './types';

// `[[guardrails.rules]]` of helix.deploy.toml: deny or warn by resource type, address, action and environment.

const DEFAULT_ACTIONS = ['create', 'update', 'delete', 'replace'];

export function userRuleFindings(
  model: PlanModel,
  ctx: Pick<GuardrailContext, 'environment' | 'rules'>,
): GuardrailFinding[] {
  const out: GuardrailFinding[] = [];
  ctx.rules.forEach((rule, i) => {
    if (rule.environments?.length && !rule.environments.some((g) => matchesGlob(g, ctx.environment))) return;
    for (const r of model.resources) {
      if (r.mode === 'data' || !matches(rule, r)) continue;
      const what =
        rule.message ??
        `${r.action} of ${r.type} is ${rule.effect === 'deny' ? 'denied' : 'flagged'} by a rule in helix.deploy.toml`;
      out.push({
        rule: `rule:${i + 1}`,
        severity: rule.effect,
        source: 'helix.deploy.toml',
        address: r.address,
        message: `${r.address}: ${what} (guardrails.rules #${i + 1})`,
      });
    }
  });
  return out;
}

function matches(rule: UserRule, r: ResourceChange): boolean {
  if (!(rule.actions?.length ? rule.actions : DEFAULT_ACTIONS).includes(r.action)) return false;
  if (rule.address && !matchesGlob(rule.address, r.address)) return false;
  if (rule.type) {
    // A Kubernetes type is `<apiVersion>/<Kind>`: a rule may name the kind alone.
    const kind = r.type.slice(r.type.lastIndexOf('/') + 1);
    if (!matchesGlob(rule.type, r.type) && !matchesGlob(rule.type, kind)) return false;
  }
  return true;
}
