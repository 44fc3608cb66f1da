import assert from 'node:assert/strict';
import { emptySummary } from '../../../../src/core/plan/model';
import { parseAnsi, stripAnsi } from '../../../../src/webview/model/ansi';
import { LogBuffer } from '../../../../src/webview/model/logBuffer';
import { flattenPlan, indexPlan, type PlanUiState } from '../../../../src/webview/model/planRows';
import type { PlanView, ResourceView } from '../../../../src/webview/protocol';

const res = (address: string, action: ResourceView['action'], module?: string): ResourceView => {
  const local = module ? address.slice(module.length + 1) : address;
  const [type, name] = local.split('.');
  return { address, action, module, type: type!, name: name! };
};
const plan: PlanView = {
  source: 'terraform',
  summary: { ...emptySummary(), create: 2, delete: 1, replace: 1, noop: 1 },
  resources: [
    res('module.net.aws_vpc.main', 'create', 'module.net'),
    res('aws_s3_bucket.logs', 'delete'),
    res('aws_s3_bucket.assets', 'create'),
    res('aws_iam_role.app', 'replace'),
    res('aws_iam_role.ro', 'no-op'),
  ],
  drift: [],
  outputs: [{ name: 'url', action: 'update', before: 'a', after: '(known after apply)', unknown: true }],
  errored: false,
  diagnostics: [],
  notices: [],
};
const ui = (over: Partial<PlanUiState['filter']> = {}, collapsed: string[] = []): PlanUiState => ({
  filter: { actions: new Set(), search: '', showAll: false, ...over },
  collapsed: new Set(collapsed),
  expanded: new Set(),
  details: new Map(),
});
const addresses = (u: PlanUiState) =>
  flattenPlan(indexPlan(plan), u).flatMap((r) => (r.kind === 'resource' ? [r.resource.address] : []));

describe('plan rows', () => {
  it('groups root module first, then modules; types and addresses sorted', () => {
    const rows = flattenPlan(indexPlan(plan), ui());
    assert.deepEqual(
      rows.filter((r) => r.kind === 'module').map((r) => (r as { label: string }).label),
      ['(root module)', 'module.net'],
    );
    assert.deepEqual(addresses(ui()), [
      'aws_iam_role.app',
      'aws_s3_bucket.assets',
      'aws_s3_bucket.logs',
      'module.net.aws_vpc.main',
    ]);
  });
  it('filters by action and search, and shows no-op on request', () => {
    assert.deepEqual(addresses(ui({ actions: new Set(['delete', 'replace']) })), [
      'aws_iam_role.app',
      'aws_s3_bucket.logs',
    ]);
    assert.deepEqual(addresses(ui({ search: 'S3_BUCKET.L' })), ['aws_s3_bucket.logs']);
    assert.ok(addresses(ui({ showAll: true })).includes('aws_iam_role.ro'));
    const none = flattenPlan(indexPlan(plan), ui({ search: 'nothing' }));
    assert.ok(none.some((r) => r.kind === 'empty'));
  });
  it('collapses groups and sections', () => {
    assert.deepEqual(addresses(ui({}, ['resources|'])), ['module.net.aws_vpc.main']);
    assert.deepEqual(addresses(ui({}, ['section|resources'])), []);
  });
  it('lists output changes with unknowns', () => {
    const out = flattenPlan(indexPlan(plan), ui()).find((r) => r.kind === 'output');
    assert.ok(out && out.kind === 'output' && out.after === '(known after apply)');
  });
  it('shows a loading row until the details arrive', () => {
    const u = ui();
    (u.expanded as Set<string>).add('resources:aws_s3_bucket.logs');
    assert.ok(flattenPlan(indexPlan(plan), u).some((r) => r.kind === 'loading'));
  });
  it('flattens 5,000 resources quickly', () => {
    const big: PlanView = {
      ...plan,
      resources: Array.from({ length: 5000 }, (_, i) =>
        res(`module.m${i % 20}.t${i % 7}.r${i}`, i % 10 ? 'create' : 'replace', `module.m${i % 20}`),
      ),
    };
    const t0 = performance.now();
    const rows = flattenPlan(indexPlan(big), ui());
    assert.ok(rows.length > 5000);
    assert.ok(performance.now() - t0 < 500);
  });
});

describe('ANSI parsing', () => {
  it('turns SGR codes into styled segments and drops other escapes', () => {
    const segs = parseAnsi('\x1b[1;31mError:\x1b[0m plain \x1b[38;5;196mx\x1b[38;2;1;2;3my\x1b[2K\x1b]0;title\x07z');
    assert.deepEqual(segs[0], { text: 'Error:', bold: true, fg: 1 });
    assert.deepEqual(segs[1], { text: ' plain ' });
    assert.equal(segs[2]!.fg, 'rgb(255, 0, 0)');
    assert.equal(segs[3]!.fg, 'rgb(1, 2, 3)');
    assert.equal(segs.map((s) => s.text).join(''), 'Error: plain xyz');
    assert.equal(stripAnsi('\x1b[32mok\x1b[0m'), 'ok');
  });
  it('keeps markup as text (segments, never HTML)', () => {
    assert.deepEqual(parseAnsi('<img src=x onerror=alert(1)>'), [{ text: '<img src=x onerror=alert(1)>' }]);
  });
});

describe('log buffer', () => {
  it('is bounded and drops the oldest lines', () => {
    const b = new LogBuffer(3);
    b.push([1, 2, 3, 4, 5].map((n) => ({ t: n, text: `line ${n}` })));
    assert.equal(b.length, 3);
    assert.equal(b.dropped, 2);
    assert.equal(b.at(0)!.text, 'line 3');
    assert.equal(b.at(2)!.text, 'line 5');
  });
  it('searches without colours and renders text for copy/save', () => {
    const b = new LogBuffer(10);
    b.push([
      { t: 0, text: '\x1b[31mERROR\x1b[0m boom' },
      { t: 0, text: 'fine' },
      { t: 0, text: 'error again' },
    ]);
    assert.deepEqual(b.search('error'), [0, 2]);
    assert.equal(b.toText(false), 'ERROR boom\nfine\nerror again');
  });
  it('holds 100,000 lines', () => {
    const b = new LogBuffer();
    b.push(Array.from({ length: 100_000 }, (_, i) => ({ t: i, text: `line ${i}` })));
    assert.equal(b.length, 100_000);
    assert.equal(b.dropped, 0);
  });
});
