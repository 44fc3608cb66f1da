import { at, obj, type JsonObject } from '../../json';
import { Redactor } from '../../process/redact';
import { assertPlanTextDepth, PlanFormatError } from '../decode';
import { summarize, type PlanDiagnostic, type PlanModel, type ResourceChange } from '../model';
import { mapOp, parseUrn, pulumiAttributes, replacePathsOf, PULUMI_REPLAN_NOTICE } from './values';

// Pulumi engine events (`up --json`, `--event-log`, or streaming preview): one EngineEvent per line.
// Folds them into a PlanModel (for `show-plan` of an event log) and exposes per-line parsing for progress.

export type PulumiEvent =
  | { kind: 'pre' | 'outputs' | 'failed'; op: string; urn: string; planning: boolean; metadata: JsonObject }
  | { kind: 'diagnostic'; severity: string; message: string; urn?: string }
  | { kind: 'stdout'; message: string }
  | { kind: 'summary'; maybeCorrupt: boolean; durationSeconds?: number; resourceChanges: Record<string, number> }
  | { kind: 'cancel' | 'prelude' | 'other' };

export function parsePulumiEventLine(line: string): PulumiEvent | undefined {
  const t = line.trim();
  if (!t.startsWith('{')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(t);
  } catch {
    return undefined;
  }
  if (!parsed || typeof parsed !== 'object' || !('sequence' in parsed || 'timestamp' in parsed)) return undefined;
  const e = obj(parsed);
  for (const [key, kind] of [
    ['resourcePreEvent', 'pre'],
    ['resOutputsEvent', 'outputs'],
    ['resOpFailedEvent', 'failed'],
  ] as const) {
    if (e[key]) {
      const m = obj(at(e[key], 'metadata') ?? {});
      return {
        kind,
        op: String(m.op ?? ''),
        urn: String(m.urn ?? ''),
        planning: !!at(e[key], 'planning'),
        metadata: m,
      };
    }
  }
  if (e.diagnosticEvent) {
    const d = obj(e.diagnosticEvent);
    return {
      kind: 'diagnostic',
      severity: String(d.severity ?? 'info'),
      message: String(d.message ?? ''),
      urn: (d.urn || undefined) as string | undefined,
    };
  }
  if (e.stdoutEvent) return { kind: 'stdout', message: String(at(e.stdoutEvent, 'message') ?? '') };
  if (e.summaryEvent) {
    const s = obj(e.summaryEvent);
    return {
      kind: 'summary',
      maybeCorrupt: !!s.maybeCorrupt,
      durationSeconds: s.durationSeconds as number | undefined,
      resourceChanges: (s.resourceChanges ?? {}) as Record<string, number>,
    };
  }
  if (e.cancelEvent) return { kind: 'cancel' };
  if (e.preludeEvent) return { kind: 'prelude' };
  return { kind: 'other' };
}

export function isPulumiEventLog(text: string): boolean {
  const first = text.split('\n').find((l) => l.trim());
  if (!first) return false;
  try {
    const e = JSON.parse(first);
    return !!e && typeof e === 'object' && 'sequence' in e && Object.keys(e).some((k) => k.endsWith('Event'));
  } catch {
    return false;
  }
}

/** Folds an event log into a model. Resources are keyed by URN; the latest step for a URN wins. */
export function parsePulumiEvents(text: string, opts: { redactor?: Redactor } = {}): PlanModel {
  assertPlanTextDepth(text);
  const redactor = opts.redactor ?? new Redactor();
  const isSecret = (v: unknown) => redactor.isSecret(v);
  const byUrn = new Map<string, ResourceChange>();
  const diagnostics: PlanDiagnostic[] = [];
  const notices = [PULUMI_REPLAN_NOTICE];
  let seen = 0;
  let failed = false;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const ev = parsePulumiEventLine(line);
    if (!ev) continue;
    seen++;
    if (ev.kind === 'pre') {
      const m = ev.metadata;
      const action = mapOp(ev.op);
      if (!action) continue;
      // Non-logical steps (create-replacement/delete-replaced) belong to a logical replace already shown.
      if (
        (m.logical === false || ev.op === 'create-replacement' || ev.op === 'delete-replaced') &&
        byUrn.get(ev.urn)?.action === 'replace'
      )
        continue;
      const u = parseUrn(ev.urn);
      const replacePaths = action === 'replace' ? replacePathsOf(undefined, m.detailedDiff, 'diffKind') : undefined;
      const rc: ResourceChange = {
        address: ev.urn,
        module: u.parent,
        type: String(m.type ?? u.type),
        name: u.name,
        action,
        loadAttributes: () =>
          pulumiAttributes(
            at(m.old, 'inputs'),
            action === 'delete' ? undefined : at(m.new, 'inputs'),
            replacePaths,
            isSecret,
          ),
      };
      if (replacePaths) rc.replacePaths = replacePaths;
      if (Array.isArray(m.diffs) && m.diffs.length) rc.reason = `changed: ${m.diffs.join(', ')}`;
      if (ev.op !== action) rc.detail = ev.op;
      byUrn.set(ev.urn, rc);
    } else if (ev.kind === 'failed') {
      failed = true;
      diagnostics.push({ severity: 'error', summary: `${ev.op} failed`, address: ev.urn });
    } else if (ev.kind === 'diagnostic') {
      const sev = ev.severity === 'error' ? 'error' : ev.severity === 'warning' ? 'warning' : 'info';
      if (sev === 'info' && !ev.message.trim()) continue;
      if (sev === 'error') failed = true;
      diagnostics.push({ severity: sev, summary: redactor.redact(stripAnsi(ev.message).trim()), address: ev.urn });
    } else if (ev.kind === 'summary' && ev.maybeCorrupt) {
      notices.push(
        'Pulumi reports the stack may be corrupt (maybeCorrupt): an operation failed mid-way; run `pulumi refresh` before the next update.',
      );
    }
  }
  if (!seen) throw new PlanFormatError('not a Pulumi event log: no engine events found');
  const model: PlanModel = {
    source: 'pulumi',
    formatVersion: 'events',
    summary: undefined as never,
    resources: [...byUrn.values()],
    drift: [],
    outputs: [],
    errored: failed,
    diagnostics,
    notices,
  };
  model.summary = summarize(model);
  return model;
}

export function stripAnsi(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\u001b\[[0-9;]*[A-Za-z]|<\{%[^%]*%\}>/g, '');
}
