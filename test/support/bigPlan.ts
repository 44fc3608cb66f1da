import * as fs from 'node:fs';
import * as path from 'node:path';
import { sharedData } from './shared';

// A `terraform show -json` document of any size, built from the shapes of the real plans in the shared data
// (every resource change of tf-*.json, copied under new addresses spread over 200 modules), so scale tests
// and benchmarks parse what Terraform really writes, only more of it.

function fixtureChanges(): { base: Record<string, unknown>; shapes: Record<string, unknown>[] } {
  const dir = sharedData('plans');
  const shapes: Record<string, unknown>[] = [];
  let base: Record<string, unknown> | undefined;
  for (const f of fs
    .readdirSync(dir)
    .filter((n) => /^tf-.*\.json$/.test(n))
    .sort()) {
    const doc = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as Record<string, unknown>;
    const rcs = (doc.resource_changes as Record<string, unknown>[] | undefined) ?? [];
    shapes.push(...rcs);
    if (!base || rcs.length > ((base.resource_changes as unknown[] | undefined)?.length ?? 0)) base = doc;
  }
  if (!base || !shapes.length) throw new Error(`no Terraform plan fixtures with resource changes in ${dir}`);
  return { base, shapes };
}

/** JSON text of a plan with `n` resource changes. */
export function bigTerraformPlanText(n: number): string {
  const { base, shapes } = fixtureChanges();
  const changes: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const s = shapes[i % shapes.length]!;
    const mod = i % 10 === 0 ? undefined : `module.m_${i % 200}`;
    const name = `${String(s.name ?? 'r')}_${i}`;
    const address = `${mod ? `${mod}.` : ''}${s.mode === 'data' ? 'data.' : ''}${String(s.type)}.${name}`;
    const { previous_address: _p, ...rest } = s;
    changes[i] = JSON.stringify({ ...rest, address, name, module_address: mod, index: undefined });
  }
  const head = JSON.stringify({
    ...base,
    resource_changes: [],
    resource_drift: [],
    prior_state: undefined,
    planned_values: undefined,
  });
  // Splice the changes in as text: one JSON.stringify of 50,000 objects at once needs far more memory.
  return head.replace('"resource_changes":[]', `"resource_changes":[${changes.join(',')}]`);
}
