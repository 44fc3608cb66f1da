import type { GuardrailFinding, GuardrailReport } from './types';

const LABEL: Record<GuardrailFinding['severity'], string> = { deny: 'DENY', confirm: 'CONFIRM', warn: 'WARN' };

/** The findings as text lines, the same in the CLI, logs and the progress summary. */
export function guardrailLines(report: GuardrailReport): string[] {
  if (!report.findings.length) return ['Guardrails: all checks passed.'];
  const head = report.blocked
    ? 'Guardrails: BLOCKED'
    : report.needsConfirmation
      ? 'Guardrails: typed confirmation needed'
      : 'Guardrails: warnings';
  return [head, ...report.findings.map((f) => `  ${LABEL[f.severity].padEnd(7)} [${f.source}] ${f.message}`)];
}
