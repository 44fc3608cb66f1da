import assert from 'node:assert/strict';
import { KNOWN_AFTER_APPLY, SENSITIVE } from '../../../../src/core/plan/model';
import { buildDiffRows } from '../../../../src/webview/model/diff';
import { diffSides } from '../../../../src/webview/model/diffDocument';
import { inlineText, pathLabel } from '../../../../src/webview/model/format';

describe('panel diff rows', () => {
  it('diffs a long JSON policy string structurally', () => {
    const before = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: '*' }],
    });
    const after = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: '*' }],
    });
    const rows = buildDiffRows([{ path: ['policy'], before, after }]);
    assert.equal(rows[0]!.container, 'json');
    const leaf = rows.filter((r) => !r.container);
    assert.deepEqual(
      leaf.map((r) => [r.path, r.change, r.before, r.after]),
      [['policy.Statement[0].Action[1]', 'add', undefined, '"s3:PutObject"']],
    );
  });

  it('walks nested objects and lists, hiding unchanged children', () => {
    const rows = buildDiffRows([{ path: ['tags'], before: { a: '1', b: '2' }, after: { a: '1', b: '3', c: '4' } }]);
    assert.deepEqual(
      rows.map((r) => `${r.depth}:${r.label}:${r.change}`),
      ['0:tags:change', '1:b:change', '1:c:add'],
    );
  });

  it('masks a sensitive attribute even if the producer forgot to replace the value', () => {
    const rows = buildDiffRows([{ path: ['password'], before: 'hunter2', after: 'changed', sensitive: true }]);
    assert.equal(rows[0]!.before, SENSITIVE);
    assert.equal(rows[0]!.after, SENSITIVE);
    assert.ok(!JSON.stringify(rows).includes('hunter2'));
  });

  it('shows unknowns as (known after apply)', () => {
    const rows = buildDiffRows([{ path: ['id'], before: 'abc', after: KNOWN_AFTER_APPLY, unknown: true }]);
    assert.equal(rows[0]!.after, KNOWN_AFTER_APPLY);
    assert.equal(rows[0]!.unknown, true);
  });

  it('marks attributes under a replace path', () => {
    const rows = buildDiffRows(
      [
        { path: ['triggers_replace', 0], before: 'v1', after: 'v2' },
        { path: ['input'], before: 'a', after: 'b' },
      ],
      { replacePaths: [['triggers_replace']] },
    );
    assert.equal(rows.find((r) => r.path === 'triggers_replace[0]')!.forcesReplace, true);
    assert.equal(rows.find((r) => r.path === 'input')!.forcesReplace, undefined);
  });

  it('cuts long and multi-line values inline but keeps them in full for the tooltip', () => {
    const long = 'x'.repeat(1000);
    const rows = buildDiffRows([{ path: ['user_data'], before: 'line1\nline2\nline3', after: long }]);
    assert.match(rows[0]!.before!, /\(\+2 lines\)/);
    assert.ok(rows[0]!.after!.length <= 240);
    assert.equal(rows[0]!.afterFull, JSON.stringify(long));
  });

  it('formats paths', () => {
    assert.equal(pathLabel(['ingress', 0, 'from_port']), 'ingress[0].from_port');
    assert.equal(pathLabel(['labels', 'app.kubernetes.io/name']), 'labels["app.kubernetes.io/name"]');
    assert.equal(inlineText(SENSITIVE), SENSITIVE);
  });

  it('rebuilds before/after documents for the native diff editor from masked diffs', () => {
    const s = diffSides([
      { path: ['tags', 'a'], before: '1', after: '2' },
      { path: ['list', 1], after: 'x' },
      { path: ['secret'], before: SENSITIVE, after: SENSITIVE, sensitive: true },
    ]);
    assert.deepEqual(JSON.parse(s.before), { tags: { a: '1' }, secret: SENSITIVE });
    assert.deepEqual(JSON.parse(s.after), { tags: { a: '2' }, list: [null, 'x'], secret: SENSITIVE });
  });
});
