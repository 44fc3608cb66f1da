// The approval bar under the plan: what will be applied, when the plan expires, the typed confirmation for
// destroys/replaces/protected environments, Approve and Discard. Enablement comes from model/approval.ts -
// the same rule the host re-checks when the approve message arrives.

import { approvalState, expiresIn, findingText } from '../model/approval';
import type { PanelState, RunView, WebviewMessage } from '../protocol';
import { h } from './dom';

type Field = HTMLElement & { value: string };

const SEVERITY = { deny: 'Denied', confirm: 'Confirm', warn: 'Warning' } as const;

export class ApprovalBar {
  readonly el: HTMLElement;
  private readonly what = h('div', { class: 'approval-what', id: 'approval-what' });
  private readonly expiry = h('div', { class: 'approval-expiry', id: 'approval-expiry' });
  /** What the guardrails found, above the approval controls: denies first. */
  private readonly guardrails = h('ul', {
    class: 'guardrails',
    id: 'guardrails',
    'aria-label': 'Guardrail findings',
    hidden: true,
  });
  private readonly reason = h('div', { class: 'approval-reason', id: 'approval-reason', role: 'status' });
  private readonly confirmWrap = h('label', { class: 'approval-confirm', for: 'approval-confirm' });
  private readonly confirm = h('vscode-textfield', {
    id: 'approval-confirm',
    'aria-describedby': 'approval-reason',
  }) as Field;
  private readonly approve = h(
    'vscode-button',
    { id: 'approve', 'aria-describedby': 'approval-reason approval-what' },
    'Approve and apply',
  );
  private readonly discard = h('vscode-button', { id: 'discard', secondary: true }, 'Discard plan');
  private readonly replan = h('vscode-button', { id: 'approval-replan', secondary: true, hidden: true }, 'Re-plan');
  /** Under the bar once approved: who approved which plan, when (from the run record, so also for other windows' and the CLI's approvals). */
  readonly record = h('div', { class: 'approval-record', id: 'approval-record', role: 'note', hidden: true });
  private state: PanelState | undefined;
  private now = Date.now();
  private typed = '';

  constructor(private readonly post: (m: WebviewMessage) => void) {
    this.el = h(
      'div',
      { class: 'approval-bar', role: 'region', 'aria-label': 'Approval', hidden: true },
      this.guardrails,
      h('div', { class: 'approval-info' }, this.what, this.expiry, this.reason),
      this.confirmWrap,
      h('div', { class: 'approval-actions' }, this.approve, this.discard, this.replan),
    );
    this.confirm.addEventListener('input', () => {
      this.typed = this.confirm.value ?? '';
      this.render();
    });
    this.confirm.addEventListener('keydown', (e) => {
      if ((e as KeyboardEvent).key === 'Enter') this.doApprove();
    });
    this.approve.addEventListener('click', () => this.doApprove());
    this.discard.addEventListener('click', () => {
      const run = this.state?.run;
      if (run) this.post({ type: 'discard', runId: run.id });
    });
    this.replan.addEventListener('click', () => this.post({ type: 'plan' }));
  }

  update(state: PanelState, now: number): void {
    if (state.run?.id !== this.state?.run?.id || state.run?.planHash !== this.state?.run?.planHash) {
      // A new plan needs a new confirmation: never carry a typed name over to a different plan.
      this.typed = '';
      this.confirm.value = '';
    }
    this.state = state;
    this.now = now;
    this.render();
  }

  private render(): void {
    const s = this.state;
    if (!s) return;
    const a = approvalState(s.env, s.run, s.plan, this.now, this.typed);
    this.el.hidden = !a.visible;
    this.renderGuardrails(s);
    const rec = s.run?.approval;
    this.record.hidden = !rec;
    this.record.textContent = rec ? approvalText(rec) : '';
    this.what.textContent = a.what ? `Will apply: ${a.what}` : '';
    const exp = expiresIn(a.expiresAt, this.now);
    this.expiry.textContent = exp
      ? exp === 'expired'
        ? 'The plan has expired.'
        : `Plan expires ${exp} (${new Date(a.expiresAt!).toLocaleTimeString()}).`
      : '';
    this.reason.textContent = a.enabled ? 'Ready to approve.' : (a.reason ?? '');
    this.confirmWrap.hidden = !a.needsConfirmation || s.run?.state !== 'Planned' || a.expired;
    if (!this.confirmWrap.firstChild)
      this.confirmWrap.append(h('span', { class: 'confirm-label', id: 'confirm-label' }, ''), this.confirm);
    (this.confirmWrap.firstChild as HTMLElement).textContent =
      `Type the environment name "${a.confirmWord}" to confirm:`;
    this.confirm.setAttribute('label', `Type ${a.confirmWord} to confirm`);
    this.confirm.setAttribute('placeholder', a.confirmWord);
    toggleDisabled(this.approve, !a.enabled);
    toggleDisabled(this.discard, !s.run || !['Planned', 'PlanFailed', 'Expired'].includes(s.run.state));
    this.replan.hidden = !a.expired && s.run?.state !== 'PlanFailed';
  }

  private renderGuardrails(s: PanelState): void {
    const report = s.plan?.guardrails;
    this.guardrails.hidden = !report?.findings.length;
    this.guardrails.replaceChildren(
      ...(report?.findings ?? []).map((f) =>
        h(
          'li',
          { class: `guardrail guardrail-${f.severity}`, 'data-rule': f.rule },
          h('span', { class: 'guardrail-severity' }, SEVERITY[f.severity]),
          ` ${findingText(f)} `,
          h('span', { class: 'guardrail-source' }, `(${f.source})`),
        ),
      ),
    );
  }

  private doApprove(): void {
    const s = this.state;
    if (!s?.run?.planHash) return;
    const a = approvalState(s.env, s.run, s.plan, Date.now(), this.typed);
    if (!a.enabled) return;
    this.post({
      type: 'approve',
      runId: s.run.id,
      planHash: s.run.planHash,
      confirmation: a.needsConfirmation ? this.typed : undefined,
    });
  }
}

/** "Approved by Ann <ann@x> at 21:50:02 · plan a1b2c3d4e5f6": the same words in the bar's record and the header. */
export function approvalText(a: NonNullable<RunView['approval']>): string {
  return `Approved by ${a.by} at ${new Date(a.at).toLocaleString()}${a.planHash ? ` · plan ${a.planHash.replace(/^sha256:/, '').slice(0, 12)}` : ''}`;
}

function toggleDisabled(el: HTMLElement, disabled: boolean): void {
  if (disabled) el.setAttribute('disabled', '');
  else el.removeAttribute('disabled');
  el.setAttribute('aria-disabled', String(disabled));
}
