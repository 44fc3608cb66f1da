// The ONE message protocol between the panel host (extension side, src/webview/host/*) and the browser app
// (src/webview/app/*). Both sides import this file; the app bundle gets it through esbuild, so it must stay
// free of Node and `vscode` imports.
//
// Shape of the conversation (GitLens-style typed messages, PR-GH-style ready handshake):
//   app  -> host  { type: 'ready' }                      once the app has mounted (also after every reload)
//   host -> app   { type: 'snapshot', state }            full state; the app throws away what it had
//   host -> app   'run' | 'log' | 'found' | 'health' | 'detail' | 'notice'   incremental updates between snapshots
//   app  -> host  user intents (approve, discard, expand, ...) - the host VALIDATES each with
//                 parseWebviewMessage() before acting, because a webview is untrusted input.
//
// Values in a snapshot are already redacted (plan/model.ts masking convention); the host re-masks anything
// flagged sensitive before posting (host/sanitize.ts), so a canary secret can never reach the webview.

import type { AttributeDiff, OutputChange, PlanDiagnostic, PlanSummary, ResourceChange } from '../core/plan/model';
import type { BudgetWarning } from '../core/cost/types';
import type { DeployImage } from '../core/engine/image';
import type { GuardrailReport } from '../core/guardrails/types';

export const PROTOCOL_VERSION = 1;

/** Run states as the engine names them (src/core/engine/states.ts); kept as string so a new state never breaks the app. */
export type RunStateName = string;

export interface EnvView {
  /** Stable key of the environment: `${projectDir}#${envName}`. */
  key: string;
  project: string;
  name: string;
  kind: string;
  protected: boolean;
  /** The target can roll back to a previous successful deployment. */
  canRollback: boolean;
  /** Local (Docker) environments can follow container logs. */
  hasContainerLogs: boolean;
}

export interface RunView {
  id: string;
  kind: string;
  state: RunStateName;
  startedBy: string;
  /** Epoch ms. */
  startedAt: number;
  updatedAt: number;
  /** State history with epoch-ms timestamps, oldest first. */
  transitions: { state: RunStateName; at: number }[];
  /** Hash of the plan this run produced; approve must echo it. */
  planHash?: string;
  /** Epoch ms after which the plan is refused as stale. */
  expiresAt?: number;
  error?: string;
  /** Who approved which plan, once approved (from the run record). Epoch ms. */
  approval?: { by: string; at: number; planHash?: string };
}

/** A change the tool reported while still planning (the full diff comes with the completed plan). */
export interface FoundChange {
  address: string;
  action: string;
}

/** What planning found so far: how many changes, and the latest ones (bounded). */
export interface FoundSoFar {
  count: number;
  recent: FoundChange[];
}

/** Latest changes kept for the "found so far" list, on both sides. */
export const FOUND_RECENT = 200;

/** A resource change as sent to the app: no attribute values (those come on expand, see `detail`). */
export type ResourceView = Omit<ResourceChange, 'attributes' | 'loadAttributes' | 'relevant' | 'deferred'>;

export interface PlanView {
  source: string;
  toolVersion?: string;
  summary: PlanSummary;
  resources: ResourceView[];
  drift: ResourceView[];
  outputs: OutputChange[];
  errored: boolean;
  diagnostics: PlanDiagnostic[];
  notices: string[];
  /** The pushed image this plan deploys (by digest), when `${image}` comes from the environment's pushes. */
  image?: DeployImage;
  /** A large plan: this many more resources follow in `planPage` messages (the app asks with `planMore`). */
  pending?: number;
  pageId?: string;
  /** The cost estimate, as the header shows it (texts built by the host from src/core/cost/render.ts). */
  cost?: CostView;
  /** The estimate is over budget_monthly: shown above the approval bar (a warning; it does not block). */
  budgetWarning?: BudgetWarning;
  /** What the guardrails found; listed above the approval bar, a deny disables Approve. */
  guardrails?: GuardrailReport;
}

export interface CostView {
  /** "+$12.40/month, total $130.00/month for the estimated resources; 2 resources not estimated". */
  headline: string;
  /** Each source with its version or date. */
  sources: string;
  /** Why a source gave nothing (Infracost not installed, failed). */
  problems: string[];
  /** The first addresses not estimated (the count is in the headline). */
  notEstimated: string[];
}

export type LogSource = 'run' | 'container';

export interface LogLine {
  /** Epoch ms. */
  t: number;
  /** Raw text; may contain ANSI SGR colour sequences. Already redacted by the engine/host. */
  text: string;
  err?: boolean;
}

export type ProbeStatus = 'pass' | 'fail' | 'unknown';

export interface ProbeView {
  name: string;
  target: string;
  status: ProbeStatus;
  latencyMs?: number;
  checkedAt?: number;
  error?: string;
  /** Oldest first, bounded by the host. */
  history: { at: number; ok: boolean; latencyMs?: number; error?: string }[];
}

export interface HealthView {
  overall: ProbeStatus;
  probes: ProbeView[];
}

export interface PanelState {
  version: number;
  env: EnvView;
  run?: RunView;
  plan?: PlanView;
  /** While planning: the changes found so far. */
  found?: FoundSoFar;
  /** Tail of each log stream (bounded by the host). */
  logs: Record<LogSource, LogLine[]>;
  /** Index of `logs.run[0]` in the run's whole log (older lines: `logOlder`). */
  runLogFrom?: number;
  health?: HealthView;
  /** Which tab to show; the app keeps the user's choice until the run moves on. */
  view?: 'plan' | 'logs' | 'health';
  /** A problem to show with an action, e.g. stale plan -> "Re-plan". */
  notice?: Notice;
  /** Lines each log view keeps (setting helixDeploy.panel.maxLogLines). */
  maxLogLines?: number;
  /** The last drift check of this environment in this window: drifted resources under `drift`, no changes. */
  drift?: PlanView;
}

export interface Notice {
  severity: 'error' | 'warning' | 'info';
  message: string;
  action?: 'replan' | 'retry';
}

// ---------------------------------------------------------------- host -> app

export type HostMessage =
  | { type: 'snapshot'; state: PanelState }
  /** `plan` only when it changed since the last message: null = no plan (undefined would not survive JSON). */
  | { type: 'run'; run: RunView | undefined; plan?: PlanView | null }
  /** `from` (with reset): index of the first line in the run's whole log; older ones come with `logOlder`. */
  | { type: 'log'; source: LogSource; lines: LogLine[]; reset?: boolean; from?: number }
  /** Older lines of the run's log, `from` being the index of the first (timestamps unknown: t = 0). */
  | { type: 'logOlder'; runId: string; from: number; lines: LogLine[] }
  /** More changes found by the plan under way (batched). */
  | { type: 'found'; runId: string; changes: FoundChange[] }
  | { type: 'health'; health: HealthView }
  /** More resources of the plan whose `pageId` this is (answer to `planMore`), in display order; `pending` still to come. */
  | { type: 'planPage'; pageId: string; resources: ResourceView[]; pending: number }
  | { type: 'detail'; section: 'resources' | 'drift'; address: string; attributes: AttributeDiff[] }
  | { type: 'notice'; notice: Notice | undefined }
  | { type: 'drift'; plan: PlanView | null };

// ---------------------------------------------------------------- app -> host

export type WebviewMessage =
  | { type: 'ready'; version: number }
  | { type: 'expand'; section: 'resources' | 'drift'; address: string }
  | { type: 'openDiff'; section: 'resources' | 'drift'; address: string }
  | { type: 'plan' }
  | { type: 'checkDrift' }
  | { type: 'approve'; runId: string; planHash: string; confirmation?: string }
  | { type: 'discard'; runId: string }
  | { type: 'cancel'; runId: string }
  | { type: 'rollback' }
  | { type: 'copy'; text: string }
  | { type: 'saveLogs'; source: LogSource }
  | { type: 'followContainer'; on: boolean }
  /** Markdown of the run for a pull-request comment, onto the clipboard (helixDeploy.copyRunSummary). */
  | { type: 'copyRunSummary'; runId: string }
  /** The app listed the plan's last page: send the next (the app paces a large plan, painting between pages). */
  | { type: 'planMore'; pageId: string }
  /** "Load older": lines of the run's log before line `before` (0-based over the whole log), from its file. */
  | { type: 'logOlder'; runId: string; before: number };

export type WebviewMessageType = WebviewMessage['type'];

/** Every message type the app may send (the compiler keeps this complete): tests walk it. */
export const WEBVIEW_MESSAGE_TYPES = Object.keys({
  ready: 1,
  expand: 1,
  openDiff: 1,
  plan: 1,
  approve: 1,
  discard: 1,
  cancel: 1,
  rollback: 1,
  checkDrift: 1,
  copy: 1,
  saveLogs: 1,
  followContainer: 1,
  copyRunSummary: 1,
  planMore: 1,
  logOlder: 1,
} satisfies Record<WebviewMessageType, 1>) as WebviewMessageType[];

/** Longest string accepted from the webview; beyond this a message is a bug or an attack. */
export const MAX_STRING = 4096;
/** Copy may carry a whole log; cap it (the log buffer is bounded anyway). */
export const MAX_COPY = 32 * 1024 * 1024;

export type ParseResult = { ok: true; message: WebviewMessage } | { ok: false; error: string };

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown, max = MAX_STRING): v is string => typeof v === 'string' && v.length > 0 && v.length <= max;
const SECTIONS = new Set(['resources', 'drift']);
const SOURCES = new Set(['run', 'container']);

/** Exact key set: unknown keys are rejected so a typo or injection never slips through silently. */
function keys(o: Obj, allowed: string[]): string | undefined {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) return `unexpected field "${k}"`;
  return undefined;
}

/**
 * Validates one message from the webview. Everything the host acts on goes through here first.
 * Returns a typed message or a human-readable reason (logged by the host, never acted on).
 */
export function parseWebviewMessage(raw: unknown): ParseResult {
  const bad = (error: string): ParseResult => ({ ok: false, error });
  if (!isObj(raw)) return bad('message is not an object');
  const t = raw.type;
  if (typeof t !== 'string') return bad('message has no type');
  let extra: string | undefined;
  switch (t) {
    case 'ready':
      if ((extra = keys(raw, ['type', 'version']))) return bad(extra);
      if (raw.version !== PROTOCOL_VERSION)
        return bad(`protocol version ${String(raw.version)} != ${PROTOCOL_VERSION}`);
      return { ok: true, message: { type: 'ready', version: PROTOCOL_VERSION } };
    case 'expand':
    case 'openDiff':
      if ((extra = keys(raw, ['type', 'section', 'address']))) return bad(extra);
      if (typeof raw.section !== 'string' || !SECTIONS.has(raw.section))
        return bad('section must be resources or drift');
      if (!isStr(raw.address)) return bad('address must be a non-empty string');
      return { ok: true, message: { type: t, section: raw.section as 'resources' | 'drift', address: raw.address } };
    case 'plan':
    case 'rollback':
    case 'checkDrift':
      if ((extra = keys(raw, ['type']))) return bad(extra);
      return { ok: true, message: { type: t } };
    case 'approve':
      if ((extra = keys(raw, ['type', 'runId', 'planHash', 'confirmation']))) return bad(extra);
      if (!isStr(raw.runId) || !isStr(raw.planHash)) return bad('approve needs runId and planHash');
      if (
        raw.confirmation !== undefined &&
        (typeof raw.confirmation !== 'string' || raw.confirmation.length > MAX_STRING)
      )
        return bad('confirmation must be a string');
      return {
        ok: true,
        message: {
          type: 'approve',
          runId: raw.runId,
          planHash: raw.planHash,
          ...(typeof raw.confirmation === 'string' ? { confirmation: raw.confirmation } : {}),
        },
      };
    case 'discard':
    case 'cancel':
    case 'copyRunSummary':
      if ((extra = keys(raw, ['type', 'runId']))) return bad(extra);
      if (!isStr(raw.runId)) return bad(`${t} needs runId`);
      return { ok: true, message: { type: t, runId: raw.runId } };
    case 'copy':
      if ((extra = keys(raw, ['type', 'text']))) return bad(extra);
      if (!isStr(raw.text, MAX_COPY)) return bad('copy needs non-empty text');
      return { ok: true, message: { type: 'copy', text: raw.text } };
    case 'saveLogs':
      if ((extra = keys(raw, ['type', 'source']))) return bad(extra);
      if (typeof raw.source !== 'string' || !SOURCES.has(raw.source)) return bad('source must be run or container');
      return { ok: true, message: { type: 'saveLogs', source: raw.source as LogSource } };
    case 'planMore':
      if ((extra = keys(raw, ['type', 'pageId']))) return bad(extra);
      if (!isStr(raw.pageId)) return bad('planMore needs pageId');
      return { ok: true, message: { type: 'planMore', pageId: raw.pageId } };
    case 'logOlder':
      if ((extra = keys(raw, ['type', 'runId', 'before']))) return bad(extra);
      if (!isStr(raw.runId)) return bad('logOlder needs runId');
      if (typeof raw.before !== 'number' || !Number.isSafeInteger(raw.before) || raw.before < 0)
        return bad('before must be a line number');
      return { ok: true, message: { type: 'logOlder', runId: raw.runId, before: raw.before } };
    case 'followContainer':
      if ((extra = keys(raw, ['type', 'on']))) return bad(extra);
      if (typeof raw.on !== 'boolean') return bad('on must be a boolean');
      return { ok: true, message: { type: 'followContainer', on: raw.on } };
    default:
      return bad(`unknown message type "${t.slice(0, 40)}"`);
  }
}

/** Minimal structural check the app does on host messages (the host is trusted; this guards against version skew). */
export function isHostMessage(raw: unknown): raw is HostMessage {
  if (!isObj(raw) || typeof raw.type !== 'string') return false;
  return ['snapshot', 'run', 'log', 'found', 'health', 'detail', 'notice', 'drift', 'planPage', 'logOlder'].includes(
    raw.type,
  );
}
