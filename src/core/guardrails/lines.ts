import type { GuardrailFinding, GuardrailReport } from './types';

const LABEL: Record<GuardrailFinding['severity'], string> = { deny: 'DENY', confirm: 'CONFIRM', warn: 'WARN' };

/** A finding's words with its address in front, unless the message names it already. */
export function findingText(f: GuardrailFinding): string {
  return f.address && !f.message.includes(f.address) ? `${f.address}: ${f.message}` : f.message;
}

/** The findings as text lines, the same in the CLI, logs and the progress summary. */
export function guardrailLines(report: GuardrailReport): string[] {
  if (!report.findings.length) return ['Guardrails: all checks passed.'];
  const head = report.blocked
    ? 'Guardrails: BLOCKED'
    : report.needsConfirmation
      ? 'Guardrails: typed confirmation needed'
      : 'Guardrails: warnings';
  return [head, ...report.findings.map((f) => `  ${LABEL[f.severity].padEnd(7)} [${f.source}] ${findingText(f)}`)];
}
