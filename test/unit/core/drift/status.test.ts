import * as assert from 'node:assert/strict';
import { currentDrift } from '../../../../src/core/drift/status';
import { runSummaryMarkdown } from '../../../../src/core/engine/runSummary';
import type { RunRecord } from '../../../../src/core/engine/records';

const run = (id: string, kind: string, state: RunRecord['state'], meta?: Record<string, unknown>): RunRecord => ({
  id,
  kind,
  state,
  meta,
  project: 'demo',
  environment: 'staging',
  who: 'x',
  startedAt: id,
  updatedAt: id,
  log: [],
});
const drift = (n: number) => ({
  drift: { count: n, checkedAt: '2026-12-05T00:00:00.000Z', resources: Array.from({ length: n }, (_, i) => `r${i}`) },
});

describe('drift status of an environment row', () => {
  it('the latest successful check with drift shows; a later apply clears it; a later clean check clears it', () => {
    assert.equal(currentDrift([run('3', 'drift', 'Succeeded', drift(2)), run('2', 'apply', 'Applied')])?.count, 2);
    assert.equal(currentDrift([run('3', 'apply', 'Applied'), run('2', 'drift', 'Succeeded', drift(2))]), undefined);
    assert.equal(
      currentDrift([run('3', 'plan', 'Applied'), run('2', 'drift', 'Succeeded', drift(2))]),
      undefined,
      'a plan run applied from the editor',
    );
    assert.equal(currentDrift([run('3', 'plan', 'Planned'), run('2', 'drift', 'Succeeded', drift(2))])?.count, 2);
    assert.equal(
      currentDrift([run('3', 'drift', 'Succeeded', drift(0)), run('2', 'drift', 'Succeeded', drift(2))]),
      undefined,
    );
  });

  it('failed checks, plans and records of other versions (no or malformed meta) are skipped', () => {
    const runs = [
      run('5', 'drift', 'Failed'),
      run('4', 'plan', 'Planned'),
      run('3', 'drift', 'Succeeded', { drift: 'x' }),
      run('2', 'drift', 'Succeeded', drift(1)),
    ];
    assert.equal(
      currentDrift(runs),
      undefined,
      'a malformed latest check tells nothing: no badge rather than an old one',
    );
    assert.deepEqual(currentDrift([run('5', 'drift', 'Failed'), run('2', 'drift', 'Succeeded', drift(1))])?.resources, [
      'r0',
    ]);
    assert.equal(
      currentDrift([run('1', 'apply', 'ApplyFailed'), run('0', 'drift', 'Succeeded', drift(1))])?.runId,
      '0',
    );
  });
});

describe('drift in the Markdown run summary', () => {
  it('a drift run lists its drifted addresses (never values); other runs get no drift section', () => {
    const md = runSummaryMarkdown({ run: { ...run('1', 'drift', 'Succeeded', drift(2)), endedAt: '1' } });
    assert.match(md, /#### Drift \(2\)\n\n2 resources changed outside the tool:\n\n- `r0`\n- `r1`/);
    assert.doesNotMatch(runSummaryMarkdown({ run: run('2', 'apply', 'Applied') }), /#### Drift/);
  });
});
