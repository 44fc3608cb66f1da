import { Redactor } from '../process/redact';
import { parsePulumiPreview } from '../plan/pulumi/preview';
import { parsePulumiEvents } from '../plan/pulumi/events';
import { PULUMI_REPLAN_NOTICE } from '../plan/pulumi/values';
import type { ChangeAction, PlanModel, ResourceChange } from '../plan/model';
import { attributesOf } from '../plan/model';
import { swapSides, type DriftReport } from './model';

// Pulumi drift from `pulumi preview --refresh --expect-no-changes --json`: the stack is refreshed from the
// cloud first, then compared with the program, so every step that is not `same` is something that differs
// between the live resource and what Pulumi manages. A step's old state is the refreshed (live) one and
// its new state the program's, so the sides are swapped: before = managed, after = live.

/** What a preview step means seen as drift. */
const AS_DRIFT: Partial<Record<ChangeAction, ChangeAction>> = {
  update: 'update',
  replace: 'update',
  // The program has it, the refreshed stack does not: it was deleted outside Pulumi.
  create: 'delete',
  // The refreshed stack has it, the program does not.
  delete: 'create',
};

export function driftFromPulumi(text: string, opts: { redactor?: Redactor; now?: Date } = {}): DriftReport {
  const redactor = opts.redactor ?? new Redactor();
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    doc = undefined; // NDJSON engine events (newer CLIs stream them for `preview --json`)
  }
  const model: PlanModel =
    doc === undefined ? parsePulumiEvents(text, { redactor }) : parsePulumiPreview(doc, { redactor });
  const resources: ResourceChange[] = [];
  for (const r of model.resources) {
    const action = AS_DRIFT[r.action];
    if (!action) continue;
    const { loadAttributes: _l, attributes: _a, replacePaths: _p, replaceOrder: _o, ...rest } = r;
    resources.push({ ...rest, action, loadAttributes: () => swapSides(attributesOf(r)) });
  }
  return {
    source: 'pulumi',
    checkedAt: (opts.now ?? new Date()).toISOString(),
    resources,
    diagnostics: model.diagnostics.filter((d) => !/no changes were expected/i.test(d.summary)),
    notices: (model.notices ?? []).filter((n) => n !== PULUMI_REPLAN_NOTICE),
  };
}
