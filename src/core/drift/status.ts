import type { RunRecord } from '../engine/records';
import { readDriftRecord, type DriftRecord } from './model';

// The drift shown on an environment row: the latest successful drift check, unless an apply or rollback
// reached the system after it (that apply re-asserted what the tool manages; a new check tells again).

const DEPLOYING = new Set(['plan', 'apply', 'destroy', 'rollback']);

export interface DriftStatus extends DriftRecord {
  runId: string;
}

/** `runs`: the environment's runs, newest first (RunStore.list order). */
export function currentDrift(runs: readonly RunRecord[]): DriftStatus | undefined {
  for (const run of runs) {
    // An editor's plan run applies itself (kind `plan`); the CLI's apply is a run of its own.
    if (DEPLOYING.has(run.kind) && (run.state === 'Applied' || run.state === 'Unhealthy')) return undefined;
    if (run.kind !== 'drift' || run.state !== 'Succeeded') continue;
    const rec = readDriftRecord(run.meta);
    return rec && rec.count > 0 ? { ...rec, runId: run.id } : undefined;
  }
  return undefined;
}
