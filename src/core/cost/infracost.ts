import { HelixError } from '../errors';
import type { ResourceCost } from './types';

// Infracost's JSON output (`infracost breakdown --format json`, format "0.2"): totals as decimal strings
// (totalMonthlyCost, pastTotalMonthlyCost, diffTotalMonthlyCost) and, per project, `breakdown` / `pastBreakdown`
// resources named by their Terraform address. A resource whose monthlyCost is null is usage-based with no usage
// given: Infracost itself does not know its cost, so neither do we.

export class InfracostFormatError extends HelixError {
  constructor(message: string) {
    super('infracost-format', message);
  }
}

export interface InfracostReport {
  currency: string;
  /** Format version of the document ("0.2"). */
  formatVersion: string;
  /** When Infracost priced it (ISO), when the document says. */
  timeGenerated?: string;
  totalMonthly?: number;
  pastTotalMonthly?: number;
  diffMonthly?: number;
  /** Priced (or known usage-based) resources by address. */
  resources: Map<string, ResourceCost>;
  /** Resource types Infracost knows to be free (summary.noPriceResourceCounts). */
  freeTypes: Set<string>;
  /** Resource types Infracost does not support (summary.unsupportedResourceCounts). */
  unsupportedTypes: Set<string>;
}

const num = (v: unknown): number | undefined => {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a parsed JSON document, walked by hand
type Obj = Record<string, any>;

const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

export function parseInfracostJson(text: string): InfracostReport {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new InfracostFormatError(
      `Infracost did not print JSON (${(err as Error).message}): expected the output of \`infracost breakdown --format json\``,
    );
  }
  if (!isObj(doc) || typeof doc.version !== 'string' || !Array.isArray(doc.projects)) {
    throw new InfracostFormatError(
      'not an Infracost JSON report: "version" and "projects" are missing (expected `infracost breakdown --format json`)',
    );
  }
  if (doc.version.split('.')[0] !== '0')
    throw new InfracostFormatError(`unsupported Infracost JSON format ${doc.version}: Helix Deploy reads format 0.x`);
  const resources = new Map<string, ResourceCost>();
  const freeTypes = new Set<string>();
  const unsupportedTypes = new Set<string>();
  for (const p of doc.projects as unknown[]) {
    if (!isObj(p)) continue;
    const past = new Map<string, number | undefined>();
    for (const r of arr(p.pastBreakdown?.resources))
      if (typeof r?.name === 'string') past.set(r.name, num(r.monthlyCost));
    for (const r of arr(p.breakdown?.resources)) {
      if (typeof r?.name !== 'string') continue;
      const monthly = num(r.monthlyCost);
      resources.set(r.name, {
        address: r.name,
        source: 'infracost',
        ...(monthly === undefined
          ? { note: 'usage-based: Infracost has no usage figures for it' }
          : { monthly, pastMonthly: past.get(r.name) ?? 0 }),
      });
    }
    // In the past breakdown only: the plan removes it.
    for (const [name, m] of past)
      if (!resources.has(name) && m !== undefined)
        resources.set(name, { address: name, source: 'infracost', monthly: 0, pastMonthly: m });
    for (const t of Object.keys(isObj(p.summary?.noPriceResourceCounts) ? p.summary.noPriceResourceCounts : {}))
      freeTypes.add(t);
    for (const t of Object.keys(isObj(p.summary?.unsupportedResourceCounts) ? p.summary.unsupportedResourceCounts : {}))
      unsupportedTypes.add(t);
  }
  const time =
    typeof doc.timeGenerated === 'string' && !Number.isNaN(Date.parse(doc.timeGenerated))
      ? doc.timeGenerated
      : undefined;
  return {
    currency: typeof doc.currency === 'string' ? doc.currency : 'USD',
    formatVersion: doc.version,
    timeGenerated: time,
    totalMonthly: num(doc.totalMonthlyCost),
    pastTotalMonthly: num(doc.pastTotalMonthlyCost),
    diffMonthly: num(doc.diffTotalMonthlyCost),
    resources,
    freeTypes,
    unsupportedTypes,
  };
}

function arr(v: unknown): Obj[] {
  return Array.isArray(v) ? v : [];
}
