import { isRunState } from './states';

// The shape of each journal line, checked on read: a line written by an older or foreign version, or edited
// by hand, is skipped with a message naming what is wrong, instead of breaking every later plan and apply.
//
// Line shapes: {t:"begin",run}  {t:"state",id,state,at,error?,meta?}  {t:"meta",id,meta}  {t:"log",id,lines}
// {t:"snap",run} ("snap" lines are written by compaction and carry a whole record).

/** A line of a history file that was skipped, with where it is. */
export interface JournalWarning {
  file: string;
  /** 1-based line number in the file as it was read. */
  line: number;
  message: string;
}

export function formatWarning(w: JournalWarning): string {
  return `${w.file}:${w.line}: ${w.message}`;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const isStrArray = (v: unknown): boolean => Array.isArray(v) && v.every(isStr);

/** What is wrong with a parsed line, or undefined when it has the right shape. */
export function checkEntry(e: unknown): string | undefined {
  if (!isObj(e)) return 'not a JSON object';
  switch (e.t) {
    case 'begin':
    case 'snap':
      return checkRun(e.run);
    case 'state':
      return (
        checkId(e.id) ??
        (isRunState(e.state) ? undefined : `"state" is ${JSON.stringify(e.state)}, not a run state`) ??
        (isStr(e.at) ? undefined : '"at" must be a time string') ??
        (e.error === undefined || isStr(e.error) ? undefined : '"error" must be a string') ??
        (e.meta === undefined || isObj(e.meta) ? undefined : '"meta" must be an object')
      );
    case 'meta':
      return checkId(e.id) ?? (isObj(e.meta) ? undefined : '"meta" must be an object');
    case 'log':
      return checkId(e.id) ?? (isStrArray(e.lines) ? undefined : '"lines" must be a list of strings');
    default:
      return `unknown record type ${JSON.stringify(e.t)}`;
  }
}

function checkId(id: unknown): string | undefined {
  return isStr(id) && id.length > 0 ? undefined : 'missing run "id"';
}

function checkRun(run: unknown): string | undefined {
  if (!isObj(run)) return 'missing "run" object';
  const bad = checkId(run.id);
  if (bad) return bad;
  for (const k of ['kind', 'project', 'environment', 'startedAt'] as const) {
    if (!isStr(run[k])) return `run ${run.id}: "${k}" must be a string`;
  }
  if (!isRunState(run.state)) return `run ${run.id}: "state" is ${JSON.stringify(run.state)}, not a run state`;
  for (const k of ['who', 'updatedAt', 'endedAt', 'error', 'host', 'projectDir'] as const) {
    if (run[k] !== undefined && !isStr(run[k])) return `run ${run.id}: "${k}" must be a string`;
  }
  if (run.log !== undefined && !isStrArray(run.log)) return `run ${run.id}: "log" must be a list of strings`;
  if (run.meta !== undefined && !isObj(run.meta)) return `run ${run.id}: "meta" must be an object`;
  for (const k of ['pid', 'logDropped'] as const) {
    if (run[k] !== undefined && typeof run[k] !== 'number') return `run ${run.id}: "${k}" must be a number`;
  }
  return undefined;
}
