// Shared test helpers: every plan fixture, the raw secrets each one holds (found independently of the parser),
// and a scriptable fake of the panel backend (what the engine/health/log services look like to the panel).

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePlanDocument } from '../../../src/core/plan/parse';
import type { PlanModel } from '../../../src/core/plan/model';
import { Redactor } from '../../../src/core/process/redact';
import type { BackendEvent, Disposable, PanelBackend, PanelRunSnapshot } from '../../../src/webview/host/backend';
import type { EnvView, HealthView, LogLine, RunView } from '../../../src/webview/protocol';
import { sharedData } from '../../support/shared';

export const PLANS_DIR = sharedData('plans');

export interface Fixture {
  name: string;
  raw: string;
  model: PlanModel;
  redactor: Redactor;
  /** Values the raw document marks sensitive (terraform masks, sensitive variables and outputs). */
  secrets: Set<string>;
}

export function planFiles(): string[] {
  const top = readdirSync(PLANS_DIR)
    .filter((f) => /\.jsonl?$/.test(f))
    .map((f) => join(PLANS_DIR, f));
  const gen = readdirSync(join(PLANS_DIR, 'generated'))
    .filter((f) => /\.jsonl?$/.test(f))
    .map((f) => join(PLANS_DIR, 'generated', f));
  return [...top, ...gen].sort();
}

export function loadFixture(file: string): Fixture {
  const raw = readFileSync(file, 'utf8');
  const redactor = new Redactor();
  const model = parsePlanDocument(readFileSync(file), { redactor });
  return { name: file.slice(PLANS_DIR.length + 1), raw, model, redactor, secrets: rawSecrets(raw) };
}

/** Our own walk of the masks (not the parser's), so the canary check does not trust the code it checks. */
export function rawSecrets(raw: string): Set<string> {
  const out = new Set<string>();
  let doc: any;
  try {
    doc = JSON.parse(raw.replace(/^\uFEFF/, ''));
  } catch {
    return out; // line formats: terraform streams carry no values; pulumi prints secrets as "[secret]"
  }
  if (!doc || typeof doc !== 'object' || !('format_version' in doc)) return out;
  const collect = (v: unknown, m: unknown, on = false): void => {
    const here = on || m === true;
    if (v === null || v === undefined) return;
    if (typeof v === 'string' || typeof v === 'number') {
      if (here && String(v).length >= 3) out.add(String(v));
      return;
    }
    const child = (k: string | number) => (m && typeof m === 'object' ? (m as any)[k] : undefined);
    if (Array.isArray(v)) v.forEach((x, i) => collect(x, child(i), here));
    else if (typeof v === 'object') for (const [k, x] of Object.entries(v)) collect(x, child(k), here);
  };
  for (const list of [doc.resource_changes, doc.resource_drift])
    for (const rc of list ?? []) {
      collect(rc.change?.before, rc.change?.before_sensitive);
      collect(rc.change?.after, rc.change?.after_sensitive);
    }
  for (const ch of Object.values(doc.output_changes ?? {}) as any[]) {
    collect(ch.before, ch.before_sensitive);
    collect(ch.after, ch.after_sensitive);
  }
  for (const [name, v] of Object.entries(doc.configuration?.root_module?.variables ?? {}) as [string, any][])
    if (v?.sensitive) {
      collect(doc.variables?.[name]?.value, true);
      collect(v.default, true);
    }
  return out;
}

export const ENV: EnvView = {
  key: '/ws/demo#staging',
  project: 'demo',
  name: 'staging',
  kind: 'terraform',
  protected: false,
  canRollback: true,
  hasContainerLogs: false,
};

/** A fake backend driven by the test: it records calls and lets the test fire engine events. */
export class FakeBackend implements PanelBackend {
  calls: string[] = [];
  envView: EnvView = { ...ENV };
  snap: PanelRunSnapshot | undefined;
  healthView: HealthView | undefined;
  approveError: Error | undefined;
  followContainer?: PanelBackend['followContainer'];
  readLog?: PanelBackend['readLog'];
  private listeners = new Set<(e: BackendEvent) => void>();
  readonly redactor = new Redactor();

  env(key: string) {
    return key === this.envView.key ? this.envView : undefined;
  }
  current() {
    return this.snap;
  }
  health() {
    return this.healthView;
  }
  subscribe(l: (e: BackendEvent) => void): Disposable {
    this.listeners.add(l);
    return { dispose: () => void this.listeners.delete(l) };
  }
  fire(e: BackendEvent) {
    for (const l of this.listeners) l(e);
  }
  async plan(key: string) {
    this.calls.push(`plan ${key}`);
  }
  async approve(_key: string, runId: string, hash: string) {
    this.calls.push(`approve ${runId} ${hash}`);
    if (this.approveError) throw this.approveError;
  }
  async cancel(_k: string, runId: string) {
    this.calls.push(`cancel ${runId}`);
  }
  async discard(_k: string, runId: string) {
    this.calls.push(`discard ${runId}`);
  }
  async rollback() {
    this.calls.push('rollback');
  }
  redact(text: string) {
    return this.redactor.redact(text);
  }

  /** Puts a run in `state` with `model` as its plan and tells listeners. */
  setRun(state: string, model?: PlanModel, extra: Partial<RunView> = {}, log: LogLine[] = []) {
    const now = Date.now();
    const run: RunView = {
      id: extra.id ?? 'run-1',
      kind: 'plan',
      state,
      startedBy: 'Test User <test@example.com>',
      startedAt: now - 5000,
      updatedAt: now,
      transitions: [{ state: 'Planning', at: now - 5000 }, ...(state !== 'Planning' ? [{ state, at: now }] : [])],
      planHash: model ? 'hash-1' : undefined,
      expiresAt: model ? now + 30 * 60_000 : undefined,
      ...extra,
    };
    this.snap = { run, plan: model, log };
    this.fire({ type: 'run', envKey: this.envView.key, snapshot: this.snap });
  }
}

/** generated/tf-local-1.json with its secrets swapped for unmistakable canaries (a word like "changed" also
 *  appears in ordinary UI text, so searching for the original secrets would give false alarms). */
export const CANARY_OLD = 'CANARY-old-7f3e9a41';
export const CANARY_NEW = 'CANARY-new-51b2c8d0';
export function canaryFixture(): Fixture {
  const file = planFiles().find((f) => f.endsWith('generated/tf-local-1.json'))!;
  const raw = readFileSync(file, 'utf8')
    .replaceAll('"hunter2"', JSON.stringify(CANARY_OLD))
    .replaceAll('"changed"', JSON.stringify(CANARY_NEW));
  const redactor = new Redactor();
  const model = parsePlanDocument(raw, { redactor });
  return { name: 'canary(tf-local-1)', raw, model, redactor, secrets: rawSecrets(raw) };
}
