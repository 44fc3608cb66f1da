// Fly.io's published usage prices, shipped with the extension so an estimate needs no network. Dated: prices
// change, and the UI names this table with its date. Figures are Fly's "per month" prices (30 days) in the
// iad region, the baseline: Fly prices other regions higher, so an estimate for them is a lower bound (said
// in the UI). Sources:
// - https://fly.io/docs/about/pricing/ ("Started Fly Machines": named CPU/RAM presets; "about $5 per 30 days per
//   GB of additional RAM"; "Persistent Storage Volumes: $0.15/GB per month of provisioned capacity"; GPU hourly
//   prices), the page's source being superfly/docs `about/pricing.html.markerb`;
// - https://fly.io/blog/new-vms-more-ram-extra-cpu-and-a-dollar-menu/ (shared-cpu-1x 256 MB $1.94/mo,
//   1 dedicated CPU with 2 GB $31.00/mo: the same base figures the presets scale from).

export const FLY_PRICE_TABLE = {
  /** The day these figures were read from the sources above. */
  date: '2026-12-05',
  url: 'https://fly.io/docs/about/pricing/',
  region: 'iad',
  currency: 'USD',
  /** Named presets: CPUs of a kind with their included memory, per 30 days. */
  presets: [
    { name: 'shared-cpu-1x', cpuKind: 'shared', cpus: 1, memoryMb: 256, monthly: 1.94 },
    { name: 'shared-cpu-2x', cpuKind: 'shared', cpus: 2, memoryMb: 512, monthly: 3.89 },
    { name: 'shared-cpu-4x', cpuKind: 'shared', cpus: 4, memoryMb: 1024, monthly: 7.78 },
    { name: 'shared-cpu-8x', cpuKind: 'shared', cpus: 8, memoryMb: 2048, monthly: 15.55 },
    { name: 'performance-1x', cpuKind: 'performance', cpus: 1, memoryMb: 2048, monthly: 31.0 },
    { name: 'performance-2x', cpuKind: 'performance', cpus: 2, memoryMb: 4096, monthly: 62.0 },
    { name: 'performance-4x', cpuKind: 'performance', cpus: 4, memoryMb: 8192, monthly: 124.0 },
    { name: 'performance-8x', cpuKind: 'performance', cpus: 8, memoryMb: 16384, monthly: 248.0 },
    { name: 'performance-16x', cpuKind: 'performance', cpus: 16, memoryMb: 32768, monthly: 496.0 },
  ],
  /** Memory above a preset's, per GB and 30 days. */
  extraMemoryGbMonthly: 5,
  /** Provisioned volume capacity, per GB and month. */
  volumeGbMonthly: 0.15,
  /** Attached GPUs, per hour while the Machine runs (Machines API `gpu_kind` values). */
  gpuHourly: { a10: 1.5, l40s: 2.5, 'a100-pcie-40gb': 2.5, 'a100-sxm4-80gb': 3.5 } as Record<string, number>,
} as const;
