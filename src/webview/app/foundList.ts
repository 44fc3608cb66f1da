// While a plan runs: the changes the tool reports as it finds them (Terraform's planned_change messages),
// newest last, so the reviewer sees the shape of the plan before it completes. The full, reviewable diff
// replaces this list when the plan is done. Bounded: the count is exact, the list keeps the latest rows.

import { FOUND_RECENT, type FoundChange, type FoundSoFar } from '../protocol';
import { clear, h } from './dom';

const SIGN: Record<string, string> = {
  create: '+',
  update: '~',
  delete: '-',
  replace: '-/+',
  read: '<=',
  import: '->',
  move: '->',
  forget: '/',
};

export class FoundList {
  readonly el = h('div', { class: 'found', hidden: true });
  private readonly countEl = h('div', { class: 'found-count', role: 'status' });
  private readonly listEl = h('ul', { class: 'found-list', 'aria-label': 'Changes found so far' });
  private count = 0;

  constructor() {
    this.el.append(this.countEl, this.listEl);
  }

  reset(f: FoundSoFar | undefined): void {
    this.count = f?.count ?? 0;
    clear(this.listEl);
    this.append(f?.recent ?? []);
  }

  add(changes: FoundChange[]): void {
    this.count += changes.length;
    this.append(changes);
  }

  /** Shown only while the plan runs and has found something. */
  show(on: boolean): void {
    this.el.hidden = !on || this.count === 0;
  }

  private append(changes: FoundChange[]): void {
    const follow = this.listEl.scrollTop + this.listEl.clientHeight >= this.listEl.scrollHeight - 4;
    for (const c of changes.slice(-FOUND_RECENT)) {
      const sign = h('span', { class: `found-sign action-${c.action}`, 'aria-hidden': 'true' }, SIGN[c.action] ?? '?');
      this.listEl.append(
        h(
          'li',
          { class: 'found-row', 'data-action': c.action, 'data-address': c.address },
          sign,
          h('span', { class: 'address' }, c.address),
          h('span', { class: 'reason' }, c.action),
        ),
      );
    }
    while (this.listEl.childElementCount > FOUND_RECENT) this.listEl.firstElementChild!.remove();
    this.countEl.textContent = `${this.count} change${this.count === 1 ? '' : 's'} found so far${this.count > FOUND_RECENT ? ` (latest ${FOUND_RECENT} shown)` : ''}`;
    if (follow) this.listEl.scrollTop = this.listEl.scrollHeight;
  }
}
