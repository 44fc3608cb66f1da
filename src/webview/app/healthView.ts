// The Health tab: liveness/readiness of the deployed environment, each probe's latency, last result, error,
// and its recent history as a small timeline (one bar per check, height = latency).

import type { HealthView, ProbeView } from '../protocol';
import { clear, clockTime, h } from './dom';

const WORD = { pass: 'Healthy', fail: 'Failing', unknown: 'Unknown' } as const;

export class HealthTab {
  readonly el: HTMLElement;
  private readonly body = h('div', { class: 'health-body' });

  constructor() {
    this.el = h(
      'section',
      {
        class: 'tab-panel health-tab',
        id: 'panel-health',
        role: 'tabpanel',
        'aria-labelledby': 'tab-health',
        hidden: true,
      },
      this.body,
    );
  }

  update(health: HealthView | undefined): void {
    clear(this.body);
    if (!health || !health.probes.length) {
      this.body.append(
        h(
          'p',
          { class: 'muted' },
          'No health checks yet. They run after a deployment, or configure `health` for this environment in helix.deploy.toml.',
        ),
      );
      return;
    }
    this.body.append(
      h(
        'div',
        {
          class: `health-overall status-${health.overall}`,
          id: 'health-overall',
          role: 'status',
          'data-status': health.overall,
        },
        icon(health.overall),
        ` ${WORD[health.overall]}`,
      ),
    );
    for (const p of health.probes) this.body.append(this.card(p));
  }

  private card(p: ProbeView): HTMLElement {
    const passed = p.history.filter((x) => x.ok).length;
    const max = Math.max(1, ...p.history.map((x) => x.latencyMs ?? 0));
    const timeline = h('div', {
      class: 'timeline',
      role: 'img',
      'aria-label': `Last ${p.history.length} checks: ${passed} passed, ${p.history.length - passed} failed`,
    });
    for (const x of p.history) {
      const bar = h('span', {
        class: `tick ${x.ok ? 'ok' : 'bad'}`,
        title: `${clockTime(x.at)} ${x.ok ? 'ok' : (x.error ?? 'failed')}${x.latencyMs !== undefined ? ` · ${x.latencyMs} ms` : ''}`,
      });
      bar.style.height = `${Math.max(20, Math.round(((x.latencyMs ?? max) / max) * 100))}%`;
      timeline.append(bar);
    }
    return h(
      'div',
      {
        class: `probe status-${p.status}`,
        'data-probe': p.name,
        'data-status': p.status,
        role: 'group',
        'aria-label': `${p.name} probe: ${WORD[p.status]}`,
      },
      h(
        'div',
        { class: 'probe-head' },
        icon(p.status),
        h('strong', {}, ` ${p.name}`),
        h('span', { class: 'probe-status' }, ` ${WORD[p.status]}`),
      ),
      h(
        'div',
        { class: 'probe-meta' },
        h('span', { class: 'probe-target' }, p.target),
        p.latencyMs !== undefined ? h('span', {}, ` · ${p.latencyMs} ms`) : '',
        p.checkedAt ? h('span', {}, ` · checked ${clockTime(p.checkedAt)}`) : '',
      ),
      p.error ? h('div', { class: 'probe-error', role: 'alert' }, p.error) : '',
      timeline,
    );
  }
}

function icon(s: keyof typeof WORD): HTMLElement {
  return h('span', { class: `status-icon ${s}`, 'aria-hidden': 'true' }, s === 'pass' ? '●' : s === 'fail' ? '✕' : '○');
}
