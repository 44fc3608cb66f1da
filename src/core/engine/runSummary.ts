import { readDriftRecord } from '../drift/model';
import { summaryLine, type PlanModel, type PlanSummary } from '../plan/model';
import type { RunRecord } from './records';
import { recordedEstimate } from '../cost/meta';
import { costMarkdown } from '../cost/render';
import type { GuardrailReport } from '../guardrails/types';
import { findingText } from '../guardrails/lines';

// A run as Markdown fit for a pull-request comment: what ran where, the changes, who approved which plan, the
// image, the health verdict and the timings. Only names, actions and counts are written, never attribute or
// output values, and every free text (errors, reasons) goes through the caller's redactor: nothing secret
// can reach the clipboard, whatever the run recorded.

export interface RunSummaryInput {
  run: RunRecord;
  /** The run's plan when the caller has it (the panel, the engine); otherwise meta.summary gives the counts. */
  model?: PlanModel;
  /** Masks known secrets in free text (the engine's Redactor). */
  redact?: (text: string) => string;
  /** Changes listed before "and N more" (default 50: a comment stays readable). */
  maxChanges?: number;
}

/** The recorded approval of a run, when it has one. */
export interface ApprovalRecord {
  by: string;
  at: string;
  planHash?: string;
}

export function approvalOf(run: Pick<RunRecord, 'meta'>): ApprovalRecord | undefined {
  const m = run.meta ?? {};
  if (typeof m.approvedBy !== 'string' || typeof m.approvedAt !== 'string') return undefined;
  return { by: m.approvedBy, at: m.approvedAt, planHash: typeof m.planHash === 'string' ? m.planHash : undefined };
}

/** The first 12 hex digits: enough to tell plans apart in a comment or a tooltip. */
export const shortHash = (hash: string) => hash.replace(/^sha256:/, '').slice(0, 12);

/** "approved by Ann <ann@x> at 2026-12-05 21:50 UTC, plan 1a2b3c4d5e6f": one line for views and tooltips. */
export function approvalLine(a: ApprovalRecord): string {
  return `approved by ${a.by} at ${utc(a.at)}${a.planHash ? `, plan ${shortHash(a.planHash)}` : ''}`;
}

export function runSummaryMarkdown(input: RunSummaryInput): string {
  const { run } = input;
  const clean = (s: string) => (input.redact ? input.redact(s) : s);
  const code = (s: string) => `\`${clean(s).replace(/`/g, "'").replace(/\r?\n/g, ' ')}\``;
  const cell = (s: string) => clean(s).replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
  const m = run.meta ?? {};
  const out: string[] = [];

  out.push(`### Helix Deploy: ${cell(run.project)} / ${cell(run.environment)} · ${run.kind} · ${run.state}`, '');
  const summary = input.model?.summary ?? summaryOf(m.summary);
  const facts = [`Run ${code(run.id)} by ${cell(run.who)}`];
  if (summary) facts.unshift(`**Plan:** ${summaryLine(summary)}`);
  out.push(facts.join(' · '));
  if (run.error) out.push('', `> ${cell(run.error)}`);

  if (input.model) {
    const changes = [
      ...input.model.resources.filter((r) => r.action !== 'no-op' && r.action !== 'read'),
      ...input.model.outputs
        .filter((o) => o.action !== 'no-op')
        .map((o) => ({ action: o.action, address: `output.${o.name}` })),
    ];
    out.push('', `#### Changes (${changes.length})`);
    if (!changes.length) out.push('', 'No changes.');
    else {
      const max = input.maxChanges ?? 50;
      out.push(
        '',
        '| Action | Address |',
        '|---|---|',
        ...changes.slice(0, max).map((c) => `| ${c.action} | ${code(c.address)} |`),
      );
      if (changes.length > max) out.push('', `…and ${changes.length - max} more.`);
    }
    const drift = input.model.drift.length;
    if (drift) out.push('', `${drift} resource${drift === 1 ? '' : 's'} changed outside the tool (drift).`);
  }
  // A drift check: what it found, by address (the history never keeps values).
  const driftFound = readDriftRecord(m);
  if (driftFound) {
    out.push(
      '',
      `#### Drift (${driftFound.count})`,
      '',
      driftFound.count
        ? `${driftFound.count} resource${driftFound.count === 1 ? '' : 's'} changed outside the tool:`
        : 'No drift.',
    );
    if (driftFound.resources.length)
      out.push('', ...driftFound.resources.slice(0, input.maxChanges ?? 50).map((a) => `- ${code(a)}`));
  }

  // The plan's estimate, else what the run recorded of it (a summary copied later from the history).
  const recorded = input.model?.cost
    ? { estimate: input.model.cost, budget: input.model.budgetWarning }
    : recordedEstimate(m);
  if (recorded.estimate) out.push(...costMarkdown(recorded.estimate, recorded.budget, cell));

  const guardrails = input.model?.guardrails ?? guardrailsOf(m.guardrails);
  if (guardrails) {
    const state = guardrails.blocked
      ? 'blocked'
      : guardrails.findings.length
        ? `${guardrails.findings.length} finding${guardrails.findings.length === 1 ? '' : 's'}`
        : 'passed';
    out.push('', `#### Guardrails: ${state}`);
    if (guardrails.findings.length) {
      out.push('', '| Result | Source | Finding |', '|---|---|---|');
      for (const f of guardrails.findings) out.push(`| ${f.severity} | ${cell(f.source)} | ${cell(findingText(f))} |`);
    }
  }

  const approval = approvalOf(run);
  out.push('', '#### Approval', '');
  out.push(
    approval
      ? `Approved by **${cell(approval.by)}** at ${utc(approval.at)}${approval.planHash ? ` · plan ${code(shortHash(approval.planHash))}` : ''}`
      : 'Not approved.',
  );

  const image = m.image as
    | { ref?: unknown; digest?: unknown; tag?: unknown; pushedAt?: unknown; commit?: unknown; buildRun?: unknown }
    | undefined;
  if (image && typeof image === 'object' && typeof image.ref === 'string') {
    const bits = [
      typeof image.digest === 'string' && !image.ref.includes(image.digest) ? `digest ${code(image.digest)}` : '',
      typeof image.tag === 'string' ? `tag ${code(image.tag)}` : '',
      typeof image.commit === 'string' ? `commit ${code(image.commit.slice(0, 12))}` : '',
      typeof image.pushedAt === 'string' ? `pushed ${utc(image.pushedAt)}` : '',
      typeof image.buildRun === 'string' ? `build run ${code(image.buildRun)}` : '',
    ].filter(Boolean);
    out.push('', '#### Image', '', `${code(image.ref)}${bits.length ? ` · ${bits.join(' · ')}` : ''}`);
  }

  if (typeof m.health === 'string') {
    out.push('', `#### Health: ${cell(m.health)}`);
    if (typeof m.healthReason === 'string') out.push('', cell(m.healthReason));
    const checks = Array.isArray(m.healthChecks) ? (m.healthChecks as Array<Record<string, unknown>>) : [];
    if (checks.length) {
      out.push('', '| Check | Result | Status | Time |', '|---|---|---|---|');
      for (const c of checks) {
        const result = c.ok ? 'ok' : `failed${typeof c.error === 'string' ? `: ${cell(c.error)}` : ''}`;
        const url = typeof c.url === 'string' ? ` ${code(withoutUserinfo(c.url))}` : '';
        out.push(
          `| ${cell(String(c.name ?? 'check'))}${url} | ${result} | ${c.status ?? ''} | ${typeof c.ms === 'number' ? `${Math.round(c.ms)} ms` : ''} |`,
        );
      }
    }
  }

  out.push('', '#### Timings', '', `- Started: ${utc(run.startedAt)}`);
  if (approval) out.push(`- Approved: ${utc(approval.at)}`);
  if (run.endedAt)
    out.push(`- Ended: ${utc(run.endedAt)} (${duration(Date.parse(run.endedAt) - Date.parse(run.startedAt))})`);
  else out.push(`- Last update: ${utc(run.updatedAt)} (still ${run.state})`);
  return `${out.join('\n')}\n`;
}

function guardrailsOf(v: unknown): GuardrailReport | undefined {
  if (!v || typeof v !== 'object' || !Array.isArray((v as GuardrailReport).findings)) return undefined;
  return v as GuardrailReport;
}

function summaryOf(v: unknown): PlanSummary | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const s = v as Record<string, unknown>;
  const n = (k: string) => (typeof s[k] === 'number' ? (s[k] as number) : 0);
  return {
    create: n('create'),
    update: n('update'),
    delete: n('delete'),
    replace: n('replace'),
    read: n('read'),
    noop: n('noop'),
    import: n('import'),
    move: n('move'),
    forget: n('forget'),
    drift: n('drift'),
    outputs: n('outputs'),
  };
}

/** Credentials in a URL (https://user:token@host) never reach a comment. */
function withoutUserinfo(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1');
}

function utc(iso: string): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : `${new Date(t).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function duration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return 'unknown duration';
  const s = Math.round(ms / 1000);
  return s < 60
    ? `${s} s`
    : s < 3600
      ? `${Math.floor(s / 60)} min ${s % 60} s`
      : `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}
