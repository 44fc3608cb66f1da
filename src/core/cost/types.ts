// One cost estimate of a plan, whatever priced it. Every figure names its source (with the source's date or
// version) and a resource no source knows is listed as "not estimated": nothing is ever guessed.

export type CostSourceId = 'infracost' | 'fly-prices' | 'kubernetes-rates';

export interface CostSource {
  id: CostSourceId;
  /** Shown in the UI: "Infracost 0.10.41", "Fly.io price table of 2026-12-05", "Kubernetes rates from helix.deploy.toml". */
  label: string;
  /** The tool's version or the table's date, when known. */
  version?: string;
  url?: string;
}

/** A monthly figure of one resource. `monthly` undefined: not estimated (see `note`). */
export interface ResourceCost {
  address: string;
  source?: CostSourceId;
  /** After the plan is applied (0 for a resource the plan deletes). */
  monthly?: number;
  /** Before the plan (0 for a resource the plan creates). */
  pastMonthly?: number;
  /** Why it is not estimated, or how it was priced ("performance-4x, 8 GB"). */
  note?: string;
}

export interface CostEstimate {
  /** ISO 4217 code of every figure (sources in another currency are reported, never added up). */
  currency: string;
  sources: CostSource[];
  /** Monthly total of the estimated resources after apply; undefined when nothing was estimated. */
  totalMonthly?: number;
  pastTotalMonthly?: number;
  /** totalMonthly - pastTotalMonthly. */
  diffMonthly?: number;
  resources: ResourceCost[];
  /** Addresses of resources no source could price. */
  notEstimated: string[];
  /** Set when the addresses are not kept (an estimate read back from the run history). */
  notEstimatedCount?: number;
  /** A source that could not run (tool missing, failed): said, never a silent zero. */
  problems: CostProblem[];
}

export interface CostProblem {
  source: CostSourceId;
  /** 'missing': the tool is not installed (a state, not an error); 'failed': it ran and failed. */
  kind: 'missing' | 'failed';
  message: string;
}

/**
 * The estimate is over the environment's `budget_monthly`. A warning, not a block: shown above the approval bar
 * and printed by the CLI. Kept as its own typed item so it can be listed beside other pre-approval findings.
 */
export interface BudgetWarning {
  kind: 'budget';
  severity: 'warning';
  environment: string;
  budgetMonthly: number;
  estimateMonthly: number;
  currency: string;
  message: string;
}

/** Hours in a month as Infracost and the cloud price lists count them (365 * 24 / 12). */
export const HOURS_PER_MONTH = 730;
