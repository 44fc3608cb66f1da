import type { DriftReport } from '../drift/model';
import type { PlanModel, ResourceChange } from '../plan/model';
import type { Redactor } from '../process/redact';

// The small interface every plan-first outside system implements (src/providers/terraform, .../pulumi,
// .../kubernetes). The engine owns runs, states, locks, expiry and the journal; a provider only runs its tool.

/** The outside systems the plan-first engine drives: one name per provider slot. */
export type DeployTool = 'terraform' | 'pulumi' | 'kubernetes';

/** Whether the tool can be used. A missing tool is a state shown on the environment, never an exception. */
export type ToolStatus =
  | { state: 'ok'; tool: string; path: string; version: string; features?: string[] }
  | {
      state: 'missing' | 'unsupported' | 'broken';
      tool: string;
      path: string;
      version?: string;
      message: string;
      setting: string;
    };

export type ProgressEvent =
  | { kind: 'planned'; change: Pick<ResourceChange, 'address' | 'action'> & Partial<ResourceChange> }
  | {
      kind: 'apply-start' | 'apply-progress' | 'apply-complete' | 'apply-errored';
      address: string;
      action: string;
      elapsed?: number;
    }
  | { kind: 'summary'; text: string };

export interface ToolRequest {
  runId: string;
  /** Absolute working directory (terraform root module, pulumi project). */
  dir: string;
  /** Variables/config, `${...}` already substituted. */
  vars: Record<string, unknown>;
  /** terraform workspace / pulumi stack. */
  workspace?: string;
  signal: AbortSignal;
  /** Learned secrets go here; the engine redacts logs and journal with it. */
  redactor: Redactor;
  /** One line of human-readable output (the engine redacts and journals it). */
  log(line: string): void;
  progress(e: ProgressEvent): void;
  /** The tool's pid, recorded so a crash can report an orphan still holding the state. */
  spawned?(pid: number): void;
  /**
   * Where a tool that changes things writes its output and exit status so it survives this process
   * (SpawnOptions.outputBase, ../process/survivor.ts). The engine removes the files when the run ends.
   */
  outputBase?: string;
}

export interface PlanRequest extends ToolRequest {
  destroy: boolean;
  /** Absolute path where the plan must be written. */
  planFile: string;
}

export type ErrorCode = 'state-locked' | 'stale' | 'tool-missing' | 'failed' | 'cancelled';

export interface PlanResult {
  outcome: 'changes' | 'no-changes' | 'errored' | 'cancelled';
  /** Redacted model (also for an errored plan when the tool produced one). */
  model?: PlanModel;
  error?: string;
  errorCode?: ErrorCode;
  /** True when the plan file binds the apply exactly (terraform; pulumi only with saved plans). */
  binding: boolean;
}

export interface ApplyRequest extends ToolRequest {
  planFile: string;
  destroy: boolean;
}

export interface ApplyResult {
  outcome: 'applied' | 'failed' | 'cancelled' | 'stale' | 'locked';
  error?: string;
  /** Non-sensitive outputs after apply. */
  outputs?: Record<string, unknown>;
}

export interface DriftRequest extends ToolRequest {
  /** A private scratch file the tool may write (terraform's refresh-only plan); deleted when the check ends. */
  scratchFile: string;
}

export type DriftResult =
  | { outcome: 'checked'; report: DriftReport }
  | { outcome: 'errored'; error: string; report?: DriftReport }
  | { outcome: 'cancelled'; error?: string };

export interface DeployProvider {
  readonly tool: DeployTool;
  /** `target` is the environment's resolved request when known (kubernetes: its kubeconfig, a kustomization's kubectl). */
  status(target?: { dir?: string; vars: Record<string, unknown> }): Promise<ToolStatus>;
  plan(req: PlanRequest): Promise<PlanResult>;
  apply(req: ApplyRequest): Promise<ApplyResult>;
  /** Reads a saved plan file into the model (CLI `apply --plan FILE`, review before apply). */
  show(req: Omit<ToolRequest, 'log' | 'progress'> & { planFile: string }): Promise<PlanModel>;
  /** Compares the live system with what the tool manages; changes nothing (no state written). */
  drift?(req: DriftRequest): Promise<DriftResult>;
}
