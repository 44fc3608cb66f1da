// The view-model against EVERY plan fixture: grouping, flattening, diff rows, masking.

import assert from 'node:assert/strict';
import { attributesOf, KNOWN_AFTER_APPLY, SENSITIVE } from '../../../../src/core/plan/model';
import { buildDiffRows } from '../../../../src/webview/model/diff';
import { flattenPlan, indexPlan, resourceKey, type PlanUiState } from '../../../../src/webview/model/planRows';
import { toPlanView } from '../../../../src/webview/host/session';
import { maskAttributes } from '../../../../src/webview/host/sanitize';
import { loadFixture, planFiles } from '../fixtures';

const files = planFiles();

describe('panel view-model on every plan fixture', () => {
  it('finds the fixtures', () => assert.ok(files.length >= 20, `only ${files.length} fixtures`));
  it('the canary check is not vacuous: known fixtures do hold raw secrets', () => {
    const local = loadFixture(files.find((f) => f.endsWith('generated/tf-local-1.json'))!);
    assert.ok(local.secrets.has('hunter2') && local.secrets.has('changed'), [...local.secrets].join(','));
    assert.ok(local.raw.includes('"hunter2"'));
    assert.ok(loadFixture(files.find((f) => f.endsWith('tf-terraform-3.json'))!).secrets.has('boop'));
  });

  for (const file of files) {
    const short = file.split('/plans/')[1];
    describe(short, () => {
      const fx = loadFixture(file);
      const view = toPlanView(fx.model);
      const index = indexPlan(view);
      const expandAll = (): PlanUiState => {
        const details = new Map();
        const expanded = new Set<string>();
        for (const [section, list] of [
          ['resources', fx.model.resources],
          ['drift', fx.model.drift],
        ] as const)
          for (const r of list) {
            const key = resourceKey(section, r.address);
            expanded.add(key);
            details.set(key, buildDiffRows(maskAttributes(attributesOf(r)), { replacePaths: r.replacePaths }));
          }
        return { filter: { actions: new Set(), search: '', showAll: true }, collapsed: new Set(), expanded, details };
      };

      it('groups every resource exactly once under its module and type', () => {
        const rows = flattenPlan(index, {
          filter: { actions: new Set(), search: '', showAll: true },
          collapsed: new Set(),
          expanded: new Set(),
          details: new Map(),
        });
        const seen = rows
          .filter((r) => r.kind === 'resource' && r.section === 'resources')
          .map((r) => (r as { resource: { address: string } }).resource.address);
        assert.deepEqual([...seen].sort(), fx.model.resources.map((r) => r.address).sort());
        const drift = rows.filter((r) => r.kind === 'resource' && r.section === 'drift').length;
        assert.equal(drift, fx.model.drift.length);
        // Each resource sits below the module and type header it belongs to.
        let mod: string | undefined;
        let type: string | undefined;
        for (const r of rows) {
          if (r.kind === 'module') mod = r.label;
          if (r.kind === 'type') type = r.label;
          if (r.kind === 'resource') {
            assert.equal(mod, r.resource.module ?? '(root module)');
            assert.equal(type, r.resource.mode === 'data' ? `data.${r.resource.type}` : r.resource.type);
          }
        }
        const section = rows.find((r) => r.kind === 'section' && r.section === 'resources');
        assert.equal(section && 'count' in section ? section.count : -1, fx.model.resources.length);
      });

      it('hides no-op and read by default and counts match the summary', () => {
        const rows = flattenPlan(index, {
          filter: { actions: new Set(), search: '', showAll: false },
          collapsed: new Set(),
          expanded: new Set(),
          details: new Map(),
        });
        const shown = rows.filter((r) => r.kind === 'resource' && r.section === 'resources');
        const s = fx.model.summary;
        assert.equal(shown.length, s.create + s.update + s.delete + s.replace + s.import + s.move + s.forget);
      });

      it('builds attribute rows for every resource, masked, with unknowns and forced replaces', () => {
        const rows = flattenPlan(index, expandAll());
        const attrs = rows
          .filter((r) => r.kind === 'attr')
          .map((r) => (r as { row: import('../../../../src/webview/model/diff').DiffRow }).row);
        for (const a of attrs) {
          if (a.sensitive && !a.container) {
            for (const v of [a.before, a.after])
              if (v !== undefined) assert.ok(v === SENSITIVE || v === KNOWN_AFTER_APPLY, `${a.path} shows ${v}`);
          }
          if (a.unknown) assert.equal(a.after, KNOWN_AFTER_APPLY);
        }
        for (const r of fx.model.resources) {
          if (r.action === 'replace' && r.replacePaths?.length && attributesOf(r).length) {
            const mine = rows.filter((x) => x.kind === 'attr' && x.address === r.address && x.row.forcesReplace);
            assert.ok(mine.length > 0, `${r.address}: no row marked as forcing the replace`);
          }
        }
      });

      it('never shows a value the raw plan marks sensitive', () => {
        const rows = flattenPlan(index, expandAll());
        const text = JSON.stringify(rows) + JSON.stringify(view);
        for (const secret of fx.secrets)
          assert.ok(!text.includes(JSON.stringify(secret)), `secret ${JSON.stringify(secret)} reached the view`);
      });
    });
  }
});
