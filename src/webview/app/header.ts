// The run header: environment, the run's state as a stepper, who started it and when, timings, and the run
// actions (Plan / Re-plan, Cancel, Rollback).

import { duration, steps } from '../model/stepper';
import type { PanelState, WebviewMessage } from '../protocol';
import { approvalText } from './approvalBar';
import { clear, h } from './dom';

const ACTIVE = new Set(['Draft', 'Planning', 'Approved', 'Applying', 'Running']);
const CANCELLABLE = new Set(['Draft', 'Planning', 'Applying', 'Running', 'Approved']);

export class RunHeader {
  readonly el: HTMLElement;
  private readonly title = h('h1', { class: 'env-title', id: 'env-title' });
  private readonly meta = h('div', { class: 'run-meta', id: 'run-meta' });
  private readonly stepper = h('ol', { class: 'stepper', id: 'stepper', 'aria-label': 'Run progress' });
  private readonly planBtn = h('vscode-button', { id: 'plan' }, 'Plan');
  private readonly cancelBtn = h('vscode-button', { id: 'cancel', secondary: true }, 'Cancel');
  private readonly rollbackBtn = h('vscode-button', { id: 'rollback', secondary: true, hidden: true }, 'Roll back');
  private readonly summaryBtn = h(
    'vscode-button',
    {
      id: 'copy-run-summary',
      secondary: true,
      hidden: true,
      title: 'Copy this run as Markdown for a pull-request comment',
    },
    'Copy summary',
  );
  private state: PanelState | undefined;

  constructor(private readonly post: (m: WebviewMessage) => void) {
    this.el = h(
      'header',
      { class: 'run-header' },
      h(
        'div',
        { class: 'run-title-row' },
        this.title,
        h('span', { class: 'spacer' }),
        this.planBtn,
        this.cancelBtn,
        this.rollbackBtn,
        this.summaryBtn,
      ),
      this.stepper,
      this.meta,
    );
    this.planBtn.addEventListener('click', () => this.post({ type: 'plan' }));
    this.cancelBtn.addEventListener('click', () => {
      const id = this.state?.run?.id;
      if (id) this.post({ type: 'cancel', runId: id });
    });
    this.rollbackBtn.addEventListener('click', () => this.post({ type: 'rollback' }));
    this.summaryBtn.addEventListener('click', () => {
      const id = this.state?.run?.id;
      if (id) this.post({ type: 'copyRunSummary', runId: id });
    });
  }

  update(s: PanelState, now: number): void {
    this.state = s;
    const run = s.run;
    this.title.textContent = `${s.env.project} / ${s.env.name}`;
    this.title.title = `${s.env.kind} environment${s.env.protected ? ' (protected)' : ''}`;
    if (s.env.protected) this.title.append(h('span', { class: 'protected-tag' }, ' protected'));
    clear(this.stepper);
    for (const st of steps(run)) {
      this.stepper.append(
        h(
          'li',
          {
            class: `step ${st.status}`,
            'aria-current': st.status === 'current' ? 'step' : null,
            'data-step': st.label,
            title: st.at ? `${st.label} at ${new Date(st.at).toLocaleTimeString()}` : null,
          },
          h(
            'span',
            { class: 'step-dot', 'aria-hidden': 'true' },
            st.status === 'done' ? '✓' : st.status === 'failed' ? '✕' : st.status === 'current' ? '●' : '○',
          ),
          h('span', { class: 'step-label' }, st.label),
          h('span', { class: 'visually-hidden' }, ` (${st.status})`),
        ),
      );
    }
    clear(this.meta);
    if (run) {
      const end = ACTIVE.has(run.state) ? now : run.updatedAt;
      this.meta.append(
        h(
          'span',
          { id: 'run-state', 'data-state': run.state, 'data-kind': run.kind, 'data-run-id': run.id },
          `${run.kind} · ${run.state}`,
        ),
        ` · started by ${run.startedBy} at ${new Date(run.startedAt).toLocaleTimeString()} · ${duration(end - run.startedAt)}`,
      );
      if (run.approval)
        this.meta.append(h('div', { class: 'run-approval', id: 'run-approval' }, approvalText(run.approval)));
      if (run.error) this.meta.append(h('div', { class: 'run-error', role: 'alert' }, run.error));
    } else this.meta.append(h('span', { id: 'run-state', 'data-state': 'none' }, 'No run yet'));
    const busy = !!run && ACTIVE.has(run.state);
    this.planBtn.textContent = run ? 'Re-plan' : 'Plan';
    toggle(this.planBtn, busy);
    this.cancelBtn.hidden = !run || !CANCELLABLE.has(run.state);
    this.rollbackBtn.hidden = !s.env.canRollback;
    this.summaryBtn.hidden = !run;
    toggle(this.rollbackBtn, busy);
  }
}

function toggle(el: HTMLElement, disabled: boolean): void {
  if (disabled) el.setAttribute('disabled', '');
  else el.removeAttribute('disabled');
}
