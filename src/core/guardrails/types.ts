import type { ChangeAction } from '../plan/model';

// What the checks that run on every plan before Approve report. A `deny` blocks approval and apply; a
// `confirm` asks for the environment's name typed before approval; a `warn` is shown and blocks nothing.

export type GuardrailSeverity = 'deny' | 'confirm' | 'warn';

/** Where a finding comes from: Helix Deploy's own rules, the user's rules in helix.deploy.toml, or conftest. */
export type GuardrailSource = 'built-in' | 'helix.deploy.toml' | 'conftest';

export interface GuardrailFinding {
  /** Stable rule id: `stateful-destroy`, `unpinned-image`, `public-exposure`, `rule:<n>`, `conftest`, ... */
  rule: string;
  severity: GuardrailSeverity;
  source: GuardrailSource;
  message: string;
  /** The resource the finding is about, when there is one. */
  address?: string;
}

export interface GuardrailReport {
  findings: GuardrailFinding[];
  /** At least one deny: approval and apply are refused. */
  blocked: boolean;
  /** At least one confirm: the environment's name must be typed to approve. */
  needsConfirmation: boolean;
}

/** A rule the user writes under `[[guardrails.rules]]` in helix.deploy.toml. */
export interface UserRule {
  effect: 'deny' | 'warn';
  /** Glob on the resource type (`aws_db_*`, `kubernetes:apps/v1:*`, `PersistentVolumeClaim`). */
  type?: string;
  /** Glob on the address. */
  address?: string;
  actions?: ChangeAction[];
  /** Globs on the environment name. */
  environments?: string[];
  message?: string;
}

/** Everything the checks need to know about the environment being planned. */
export interface GuardrailContext {
  environment: string;
  protected: boolean;
  /** Addresses (globs) whose destroy or replace is allowed in a protected environment (`allow_destroy`). */
  allowDestroy: string[];
  rules: UserRule[];
  /** Absolute folder of the team's Rego policies (`policy = { conftest = "policy/" }`). */
  conftestPolicy?: string;
  /** Invalid guardrail settings: each blocks, it is never skipped silently. */
  configErrors: string[];
}

export function reportOf(findings: GuardrailFinding[]): GuardrailReport {
  const order: Record<GuardrailSeverity, number> = { deny: 0, confirm: 1, warn: 2 };
  const sorted = [...findings].sort((a, b) => order[a.severity] - order[b.severity]);
  return {
    findings: sorted,
    blocked: sorted.some((f) => f.severity === 'deny'),
    needsConfirmation: sorted.some((f) => f.severity === 'confirm'),
  };
}

/** Exit status of `helix-deploy plan` and `deploy` when a guardrail denies the plan. */
export const EXIT_GUARDRAIL_DENIED = 5;
