/** One figure printed by `npm run bench`, beside the anchor it is compared with. */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  /** The figure we compare with, measured in the same run (e.g. `terraform show`). */
  anchor?: { name: string; value: number; unit: string };
  /** Our value / anchor value, or a budget; printed as-is. */
  ratio?: number;
  /** The figure to meet, e.g. "< 2 ms" or "ratio <= 1.1". */
  goal?: string;
  note?: string;
}

/** A bench module exports `run()`; scripts/bench.mjs imports every test/bench/*.bench.ts. */
export type BenchModule = { run(): Promise<BenchResult[]> };
