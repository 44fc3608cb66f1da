import { toJSON, type PlanModel } from '../plan/model';
import { builtinFindings } from './builtin';
import { conftestFindings, type ConftestOptions } from './conftest';
import { userRuleFindings } from './rules';
import { reportOf, type GuardrailContext, type GuardrailFinding, type GuardrailReport } from './types';

// Checks that run on every plan before Approve is enabled: built-in rules, the user's rules of
// helix.deploy.toml and the team's conftest policies. Plain TypeScript, shared by the engine and the CLI.

export * from './types';
export { findingText, guardrailLines } from './lines';
export { guardrailContext } from './settings';
export { STATEFUL_TYPES, isStateful } from './stateful';

export async function evaluateGuardrails(
  model: PlanModel,
  ctx: GuardrailContext,
  o: { conftest?: ConftestOptions } = {},
): Promise<GuardrailReport> {
  const findings: GuardrailFinding[] = ctx.configErrors.map((message) => ({
    rule: 'guardrails-config',
    severity: 'deny',
    source: 'helix.deploy.toml',
    message,
  }));
  findings.push(...builtinFindings(model, ctx), ...userRuleFindings(model, ctx));
  if (ctx.conftestPolicy) {
    // Policies see the redacted plan model (the same for Terraform, Pulumi and Kubernetes) and the environment.
    const input = { ...(toJSON(model) as object), environment: { name: ctx.environment, protected: ctx.protected } };
    if (!o.conftest)
      findings.push({
        rule: 'conftest',
        severity: 'deny',
        source: 'conftest',
        message: 'conftest policies are configured but cannot run here',
      });
    else findings.push(...(await conftestFindings(ctx.conftestPolicy, input, o.conftest)));
  }
  return reportOf(findings);
}

/** Built-in rules only, for a plan without an environment (`helix-deploy show-plan FILE`). */
export function builtinReport(model: PlanModel): GuardrailReport {
  return reportOf(builtinFindings(model, { environment: '', protected: false, allowDestroy: [] }));
}
