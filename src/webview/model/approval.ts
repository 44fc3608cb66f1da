// Whether the Approve button is enabled, and why not. The SAME function runs in the app (to render the
// button) and in the host (to re-check an approve message), so the webview can never approve more than
// the host would allow.

import { summaryLine } from '../../core/plan/model';
import type { EnvView, PlanView, RunView } from '../protocol';

export interface ApprovalState {
  /** The approval bar is shown at all (a plan run exists and is not past approval). */
  visible: boolean;
  enabled: boolean;
  /** Why Approve is disabled, in words for the user (also the button's aria-description). */
  reason?: string;
  needsConfirmation: boolean;
  /** What the user must type: the environment name. */
  confirmWord: string;
  /** "2 to create, 1 to replace" */
  what: string;
  expiresAt?: number;
  /** The plan is past its expiry: offer Re-plan. */
  expired: boolean;
}

/** A guardrail finding with its address in front (as core/guardrails/lines.ts words it for the CLI). */
export function findingText(f: { message: string; address?: string }): string {
  return f.address && !f.message.includes(f.address) ? `${f.address}: ${f.message}` : f.message;
}

export function approvalState(
  env: EnvView,
  run: RunView | undefined,
  plan: PlanView | undefined,
  now: number,
  typed = '',
): ApprovalState {
  const confirmWord = env.name;
  const destructive = !!plan && plan.summary.delete + plan.summary.replace > 0;
  const needsConfirmation = env.protected || destructive || !!plan?.guardrails?.needsConfirmation;
  const base: ApprovalState = {
    visible: false,
    enabled: false,
    needsConfirmation,
    confirmWord,
    what: plan ? summaryLine(plan.summary) : '',
    expiresAt: run?.expiresAt,
    expired: false,
  };
  if (!run) return { ...base, reason: 'No plan yet: run a plan first.' };
  const no = (reason: string, extra: Partial<ApprovalState> = {}): ApprovalState => ({
    ...base,
    visible: true,
    reason,
    ...extra,
  });
  switch (run.state) {
    case 'Draft':
    case 'Planning':
      return no('Planning… Approve is enabled once the plan completes.');
    case 'PlanFailed':
      return no('The plan failed: fix the errors and re-plan.');
    case 'Expired':
      return no('The plan expired: re-plan to approve.', { expired: true });
    case 'Saved':
      return no('The plan was saved to a file for a later apply (`helix-deploy apply`), which is a run of its own.');
    case 'Planned':
      // A large plan arrives in pages: approve only what has been listed in full.
      if (plan?.pending)
        return no(
          `Listing the plan… ${plan.pending.toLocaleString('en-US')} more changes to come; Approve is enabled once every change is shown.`,
        );
      break;
    default:
      return base; // Approved and later: the apply view takes over.
  }
  if (!plan) return no('The plan is not loaded yet.');
  if (plan.errored) return no('The plan has errors and cannot be applied.');
  if (!run.planHash) return no('The plan has no hash to approve.');
  if (run.expiresAt !== undefined && now >= run.expiresAt)
    return no('The plan expired: re-plan to approve.', { expired: true });
  const denied = plan.guardrails?.findings.filter((f) => f.severity === 'deny') ?? [];
  if (denied.length)
    return no(
      `Blocked by guardrails: ${findingText(denied[0])}${denied.length > 1 ? ` (and ${denied.length - 1} more)` : ''}`,
    );
  if (needsConfirmation && typed !== confirmWord)
    return no(
      `Type "${confirmWord}" to confirm${destructive ? ' the destroys and replaces' : ' (protected environment)'}.`,
    );
  return { ...base, visible: true, enabled: true };
}

/** "in 29 min", "in 40 s", "expired". */
export function expiresIn(expiresAt: number | undefined, now: number): string {
  if (expiresAt === undefined) return '';
  const s = Math.floor((expiresAt - now) / 1000);
  if (s <= 0) return 'expired';
  if (s < 90) return `in ${s} s`;
  return `in ${Math.round(s / 60)} min`;
}
