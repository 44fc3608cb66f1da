import assert from 'node:assert/strict';
import { emptySummary } from '../../../../src/core/plan/model';
import { reportOf, type GuardrailFinding } from '../../../../src/core/guardrails/types';
import { approvalState } from '../../../../src/webview/model/approval';
import type { EnvView, PlanView, RunView } from '../../../../src/webview/protocol';

// The panel's Approve (and the host's re-check of an approve message) follows the guardrails.

const NOW = 1_800_000_000_000;
const ENV: EnvView = {
  key: '/p#prod',
  project: 'p',
  name: 'prod',
  kind: 'terraform',
  protected: false,
  canRollback: false,
  hasContainerLogs: false,
};
const RUN: RunView = {
  id: 'r1',
  kind: 'plan',
  state: 'Planned',
  startedBy: 'me',
  startedAt: NOW - 1000,
  updatedAt: NOW,
  transitions: [],
  planHash: 'h',
  expiresAt: NOW + 60_000,
};
const plan = (...findings: GuardrailFinding[]): PlanView => ({
  source: 'terraform',
  summary: { ...emptySummary(), create: 1 },
  resources: [],
  drift: [],
  outputs: [],
  errored: false,
  diagnostics: [],
  notices: [],
  guardrails: reportOf(findings),
});
const f = (severity: GuardrailFinding['severity'], message: string): GuardrailFinding => ({
  rule: 'r',
  severity,
  source: 'built-in',
  message,
});

describe('approval rule: guardrails', () => {
  it('a deny disables Approve, with the finding as the reason, even with the name typed', () => {
    const a = approvalState(
      ENV,
      RUN,
      plan(f('warn', 'w'), f('deny', 'no databases'), f('deny', 'second')),
      NOW,
      'prod',
    );
    assert.equal(a.enabled, false);
    assert.equal(a.visible, true);
    assert.equal(a.reason, 'Blocked by guardrails: no databases (and 1 more)');
  });
  it('a confirm finding asks for the environment name; warnings alone do not', () => {
    const c = approvalState(ENV, RUN, plan(f('confirm', 'destroys data')), NOW, '');
    assert.equal(c.needsConfirmation, true);
    assert.equal(c.enabled, false);
    assert.equal(approvalState(ENV, RUN, plan(f('confirm', 'destroys data')), NOW, 'prod').enabled, true);
    const w = approvalState(ENV, RUN, plan(f('warn', 'unpinned')), NOW, '');
    assert.equal(w.needsConfirmation, false);
    assert.equal(w.enabled, true);
  });
});
