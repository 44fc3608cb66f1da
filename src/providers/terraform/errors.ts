import type { PlanDiagnostic } from '../../core/plan/model';

// Turns Terraform diagnostics into messages that say what happened and what to do.

export function describeStateLock(d: PlanDiagnostic, dir: string): string {
  const text = d.detail ?? '';
  const field = (name: string) => new RegExp(`^\\s*${name}:\\s*(.*)$`, 'm').exec(text)?.[1]?.trim();
  const id = field('ID');
  const who = field('Who');
  const op = field('Operation')
    ?.replace(/^OperationType/, '')
    .toLowerCase();
  const created = field('Created');
  const holder = [who && `by ${who}`, op && `(${op})`, created && `since ${created}`].filter(Boolean).join(' ');
  return (
    `The Terraform state is locked${holder ? ` ${holder}` : ''}${id ? ` [lock ${id}]` : ''}: another Terraform operation is using it. ` +
    `Wait for it to finish and run again. Only if you are certain nothing is running, unlock it yourself with ` +
    `\`terraform force-unlock ${id ?? 'LOCK_ID'}\` in ${dir} (Helix Deploy never force-unlocks).`
  );
}

export const STALE_MESSAGE =
  'The plan is stale: the Terraform state changed after this plan was made (another apply ran). Nothing was applied. Re-plan and review the new plan.';

export function describeErrors(diags: PlanDiagnostic[], fallback: string): string {
  const errors = diags.filter((d) => d.severity === 'error');
  if (!errors.length) return fallback;
  return errors
    .map((d) => `${d.address ? `${d.address}: ` : ''}${d.summary}${d.detail ? ` - ${firstLines(d.detail, 3)}` : ''}`)
    .join('\n');
}

function firstLines(s: string, n: number): string {
  return s
    .split('\n')
    .filter((l) => l.trim())
    .slice(0, n)
    .join(' ');
}
