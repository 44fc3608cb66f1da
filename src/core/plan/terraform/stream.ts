import { at, obj, type JsonObject } from '../../json';
import type { ChangeAction, PlanDiagnostic, ResourceChange } from '../model';

// `terraform plan|apply -json` machine-readable UI: one JSON object per line. Used to show progress while
// terraform runs (each planned change as it is found, each apply step as it completes). It carries no
// attribute values; the reviewed diff comes from `show -json` (./show.ts).

export interface StreamChangeSummary {
  add: number;
  change: number;
  import: number;
  remove: number;
  operation: 'plan' | 'apply' | 'destroy' | string;
}

export type StreamEvent =
  | { type: 'version'; terraform: string; ui: string }
  | {
      type: 'planned_change';
      change: Pick<
        ResourceChange,
        'address' | 'module' | 'type' | 'name' | 'action' | 'reason' | 'previousAddress' | 'importId'
      >;
    }
  | { type: 'resource_drift'; change: Pick<ResourceChange, 'address' | 'module' | 'type' | 'name' | 'action'> }
  | { type: 'change_summary'; changes: StreamChangeSummary }
  | {
      type: 'apply_start' | 'apply_progress' | 'apply_complete' | 'apply_errored';
      address: string;
      action: string;
      elapsed?: number;
      idValue?: string;
    }
  | {
      type: 'provision_start' | 'provision_progress' | 'provision_complete' | 'provision_errored';
      address: string;
      provisioner: string;
      output?: string;
    }
  | { type: 'refresh_start' | 'refresh_complete'; address: string }
  | { type: 'diagnostic'; diagnostic: PlanDiagnostic }
  | { type: 'outputs'; outputs: Record<string, { sensitive: boolean; action?: string; value?: unknown }> }
  | { type: 'log' | 'other'; level: string };

export interface StreamLine {
  /** Human message terraform attached (`@message`), what a terminal would show. */
  message: string;
  level: string;
  event: StreamEvent;
}

const STREAM_ACTIONS: Record<string, ChangeAction> = {
  noop: 'no-op',
  move: 'move',
  remove: 'forget',
  create: 'create',
  read: 'read',
  update: 'update',
  replace: 'replace',
  delete: 'delete',
  import: 'import',
};

/** Parses one line; undefined for a line that is not a terraform UI message (e.g. a plain stderr line). */
export function parseStreamLine(line: string): StreamLine | undefined {
  const t = line.trim();
  if (!t.startsWith('{')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(t);
  } catch {
    return undefined;
  }
  const m = obj(parsed);
  if (!parsed || typeof parsed !== 'object' || typeof m.type !== 'string') return undefined;
  const message = String(m['@message'] ?? '');
  const level = String(m['@level'] ?? 'info');
  return { message, level, event: toEvent(m, level) };
}

function resource(value: unknown): Pick<ResourceChange, 'address' | 'module' | 'type' | 'name'> {
  const r = obj(value);
  return {
    address: String(r.addr ?? ''),
    module: (r.module || undefined) as string | undefined,
    type: String(r.resource_type ?? ''),
    name: String(r.resource_name ?? ''),
  };
}

function toEvent(m: JsonObject, level: string): StreamEvent {
  switch (m.type) {
    case 'version':
      return { type: 'version', terraform: String(m.terraform ?? ''), ui: String(m.ui ?? '') };
    case 'planned_change':
    case 'resource_drift': {
      const c = obj(m.change);
      const action = STREAM_ACTIONS[String(c.action)] ?? 'update';
      const base = { ...resource(c.resource), action };
      if (m.type === 'resource_drift') return { type: 'resource_drift', change: base };
      return {
        type: 'planned_change',
        change: {
          ...base,
          ...(c.reason ? { reason: String(c.reason) } : {}),
          ...(at(c.previous_resource, 'addr') ? { previousAddress: String(at(c.previous_resource, 'addr')) } : {}),
          ...(at(c.importing, 'id') !== undefined ? { importId: String(at(c.importing, 'id')) } : {}),
        },
      };
    }
    case 'change_summary':
      return {
        type: 'change_summary',
        changes: {
          add: 0,
          change: 0,
          import: 0,
          remove: 0,
          operation: 'plan',
          ...(m.changes as Partial<StreamChangeSummary>),
        },
      };
    case 'apply_start':
    case 'apply_progress':
    case 'apply_complete':
    case 'apply_errored': {
      const h = obj(m.hook);
      const timing = { elapsed: h.elapsed_seconds as number | undefined, idValue: h.id_value as string | undefined };
      return { type: m.type, address: String(at(h.resource, 'addr') ?? ''), action: String(h.action ?? ''), ...timing };
    }
    case 'provision_start':
    case 'provision_progress':
    case 'provision_complete':
    case 'provision_errored': {
      const h = obj(m.hook);
      return {
        type: m.type,
        address: String(at(h.resource, 'addr') ?? ''),
        provisioner: String(h.provisioner ?? ''),
        output: h.output as string | undefined,
      };
    }
    case 'refresh_start':
    case 'refresh_complete':
      return { type: m.type, address: String(at(m.hook, 'resource', 'addr') ?? '') };
    case 'diagnostic': {
      const d = obj(m.diagnostic);
      const sev = d.severity === 'error' ? 'error' : d.severity === 'warning' ? 'warning' : 'info';
      return {
        type: 'diagnostic',
        diagnostic: {
          severity: sev,
          summary: String(d.summary ?? m['@message'] ?? ''),
          detail: d.detail ? String(d.detail) : undefined,
          address: d.address as string | undefined,
        },
      };
    }
    case 'outputs':
      return { type: 'outputs', outputs: (m.outputs ?? {}) as Extract<StreamEvent, { type: 'outputs' }>['outputs'] };
    case 'log':
      return { type: 'log', level };
    default:
      return { type: 'other', level };
  }
}

/** Error diagnostics that mean "someone else holds the state lock". */
export function isStateLockError(d: PlanDiagnostic): boolean {
  return /state lock|acquiring the state lock|lock is held|resource temporarily unavailable/i.test(
    `${d.summary} ${d.detail ?? ''}`,
  );
}

/** "Saved plan is stale" (the state changed since the plan was made). */
export function isStalePlanError(d: PlanDiagnostic): boolean {
  return /saved plan is stale|plan file.*stale/i.test(`${d.summary} ${d.detail ?? ''}`);
}

/** Diagnostics that `terraform init` would fix. */
export function needsInit(d: PlanDiagnostic): boolean {
  return /terraform init|module not installed|required plugins are not installed|inconsistent dependency lock file|backend initialization required|provider.*not.*installed/i.test(
    `${d.summary} ${d.detail ?? ''}`,
  );
}
