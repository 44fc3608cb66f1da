// One row of the plan list as DOM (the virtual list recycles `el`, so every attribute is set or cleared here).
// Rows carry roles and aria-labels for screen readers: the list is a tree, each row a treeitem.

import type { ChangeAction } from '../../core/plan/model';
import { isDestructive, type PlanRow } from '../model/planRows';
import { clear, h, setAttr } from './dom';

export const BADGE: Record<ChangeAction, string> = {
  create: '+ create',
  update: '~ update',
  delete: '− destroy',
  replace: '± replace',
  read: '⇐ read',
  'no-op': '· no-op',
  import: '⇲ import',
  move: '→ move',
  forget: '⊘ forget',
};

/** What each recycled element shows now, so a re-render that only moves the active row keeps its children. */
const shown = new WeakMap<HTMLElement, { row: PlanRow; i: number; idPrefix: string }>();

/** `idPrefix` keeps row ids unique in the document: the Plan and Drift tabs each have a tree of rows. */
export function renderPlanRow(el: HTMLElement, row: PlanRow, i: number, active: boolean, idPrefix = 'prow'): void {
  const was = shown.get(el);
  if (was && was.row === row && was.i === i && was.idPrefix === idPrefix) {
    // Rebuilding the children under a pressed mouse button would swallow the click: the press gives the tree
    // focus (which re-renders the visible rows) and the release then lands on a new node, so no click fires.
    el.classList.toggle('active', active);
    return;
  }
  shown.set(el, { row, i, idPrefix });
  clear(el);
  el.className = `prow prow-${row.kind}${active ? ' active' : ''}`;
  el.id = `${idPrefix}-${i}`;
  el.dataset.index = String(i);
  for (const a of ['aria-level', 'aria-expanded', 'aria-label', 'title', 'data-address', 'data-action', 'data-change'])
    el.removeAttribute(a);
  el.style.removeProperty('--indent');
  el.setAttribute('role', 'treeitem');
  switch (row.kind) {
    case 'section':
      setAttr(el, 'aria-level', 1);
      setAttr(el, 'aria-expanded', String(!row.collapsed));
      el.append(
        chevron(!row.collapsed),
        h('span', { class: 'section-label' }, row.label),
        h('span', { class: 'count' }, String(row.count)),
      );
      break;
    case 'module':
    case 'type':
      setAttr(el, 'aria-level', row.kind === 'module' ? 2 : 3);
      setAttr(el, 'aria-expanded', String(!row.collapsed));
      el.style.setProperty('--indent', row.kind === 'module' ? '1' : '2');
      el.append(
        chevron(!row.collapsed),
        h('span', { class: row.kind === 'module' ? 'module-label' : 'type-label' }, row.label),
        h('span', { class: 'count' }, String(row.count)),
      );
      for (const [a, n] of Object.entries(row.actions))
        if (a !== 'no-op')
          el.append(
            h(
              'span',
              { class: `mini-badge action-${a}`, title: `${n} ${a}` },
              `${BADGE[a as ChangeAction].split(' ')[0]}${n}`,
            ),
          );
      break;
    case 'resource': {
      const r = row.resource;
      setAttr(el, 'aria-level', 4);
      setAttr(el, 'aria-expanded', String(row.expanded));
      setAttr(el, 'data-address', r.address);
      setAttr(el, 'data-action', r.action);
      el.style.setProperty('--indent', '3');
      if (isDestructive(r.action)) el.classList.add('destructive');
      const forced = r.replacePaths?.length ? r.replacePaths.map((p) => p.join('.')).join(', ') : '';
      const local = r.module && r.address.startsWith(`${r.module}.`) ? r.address.slice(r.module.length + 1) : r.address;
      el.append(
        chevron(row.expanded),
        h('span', { class: `badge action-${r.action}` }, BADGE[r.action]),
        h('span', { class: 'address', title: r.address }, local),
      );
      if (forced) el.append(h('span', { class: 'forces' }, `forced by ${forced}`));
      else if (r.reason) el.append(h('span', { class: 'reason' }, humanReason(r.reason)));
      if (r.previousAddress) el.append(h('span', { class: 'reason' }, `from ${r.previousAddress}`));
      if (r.importId) el.append(h('span', { class: 'reason' }, `import id ${r.importId}`));
      el.append(
        h(
          'button',
          {
            class: 'link open-diff',
            tabindex: -1,
            'data-open-diff': '1',
            title: 'Open this change in the diff editor (O)',
          },
          'Open diff',
        ),
      );
      setAttr(
        el,
        'aria-label',
        `${r.action} ${r.address}${forced ? `, replacement forced by ${forced}` : ''}${r.reason ? `, ${humanReason(r.reason)}` : ''}`,
      );
      break;
    }
    case 'attr': {
      const d = row.row;
      setAttr(el, 'aria-level', 5 + d.depth);
      setAttr(el, 'data-change', d.change);
      el.style.setProperty('--indent', String(4 + d.depth));
      el.classList.add(`change-${d.change}`);
      el.append(h('span', { class: 'attr-label' }, d.label));
      if (d.container) {
        el.append(
          h(
            'span',
            { class: 'attr-kind' },
            d.container === 'json' ? '(JSON document)' : d.container === 'list' ? '[…]' : '{…}',
          ),
        );
      } else {
        if (d.before !== undefined)
          el.append(
            h(
              'span',
              {
                class: `val before${d.sensitive && d.before === '(sensitive)' ? ' masked' : ''}`,
                title: d.beforeFull ?? d.before,
              },
              d.before,
            ),
          );
        if (d.before !== undefined && d.after !== undefined)
          el.append(h('span', { class: 'arrow', 'aria-hidden': 'true' }, '→'));
        if (d.after !== undefined)
          el.append(
            h(
              'span',
              {
                class: `val after${d.unknown ? ' unknown' : ''}${d.sensitive && d.after === '(sensitive)' ? ' masked' : ''}`,
                title: d.afterFull ?? d.after,
              },
              d.after,
            ),
          );
      }
      if (d.forcesReplace) el.append(h('span', { class: 'forces' }, 'forces replacement'));
      setAttr(
        el,
        'aria-label',
        `${d.path}: ${d.change === 'add' ? `added ${d.after ?? ''}` : d.change === 'remove' ? `removed ${d.before ?? ''}` : `${d.before ?? ''} to ${d.after ?? ''}`}${d.forcesReplace ? ', forces replacement' : ''}`,
      );
      break;
    }
    case 'loading':
      el.style.setProperty('--indent', '4');
      el.append(h('span', { class: 'muted' }, 'Loading attributes…'));
      break;
    case 'empty':
      el.style.setProperty('--indent', '1');
      el.append(h('span', { class: 'muted' }, row.label));
      break;
    case 'output': {
      const o = row.output;
      setAttr(el, 'aria-level', 2);
      el.style.setProperty('--indent', '1');
      el.append(
        h('span', { class: `badge action-${o.action}` }, BADGE[o.action]),
        h('span', { class: 'address' }, o.name),
      );
      if (row.before) el.append(h('span', { class: `val before${o.sensitive ? ' masked' : ''}` }, row.before));
      if (row.before && row.after) el.append(h('span', { class: 'arrow', 'aria-hidden': 'true' }, '→'));
      if (row.after)
        el.append(
          h('span', { class: `val after${o.unknown ? ' unknown' : ''}${o.sensitive ? ' masked' : ''}` }, row.after),
        );
      setAttr(el, 'aria-label', `output ${o.name} ${o.action}`);
      break;
    }
  }
}

function chevron(open: boolean): HTMLElement {
  return h('span', { class: `chevron${open ? ' open' : ''}`, 'aria-hidden': 'true' }, open ? '▾' : '▸');
}

function humanReason(reason: string): string {
  return reason.replace(/^(replace|delete|read)_because_/, '$1: ').replace(/_/g, ' ');
}
