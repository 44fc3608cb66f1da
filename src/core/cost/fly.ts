import { FLY_PRICE_TABLE } from './fly-prices';
import { HOURS_PER_MONTH, type CostSource } from './types';

// The shipped Fly.io price table applied to Machines and volumes: a guest (cpu kind, cpus, memory, GPU) is
// its preset plus the extra memory; a volume is its provisioned size. A guest the table has no preset for is
// not estimated.

export const FLY_SOURCE: CostSource = {
  id: 'fly-prices',
  label: `Fly.io price table of ${FLY_PRICE_TABLE.date} (${FLY_PRICE_TABLE.region} prices; other regions cost more)`,
  version: FLY_PRICE_TABLE.date,
  url: FLY_PRICE_TABLE.url,
};

export interface FlyGuest {
  cpuKind: string;
  cpus: number;
  memoryMb: number;
  gpuKind?: string;
}

/** The helix CLI's `vm_size` values as Machines API guests (what `helix deploy` and our Fly deployer create). */
export const FLY_VM_SIZES: Record<string, FlyGuest> = {
  'shared-cpu-4x': { cpuKind: 'shared', cpus: 4, memoryMb: 1024 },
  'shared-cpu-8x': { cpuKind: 'shared', cpus: 8, memoryMb: 2048 },
  'performance-4x': { cpuKind: 'performance', cpus: 4, memoryMb: 8192 },
  'performance-8x': { cpuKind: 'performance', cpus: 8, memoryMb: 16384 },
  'performance-16x': { cpuKind: 'performance', cpus: 16, memoryMb: 32768 },
  a10: { cpuKind: 'performance', cpus: 8, memoryMb: 32768, gpuKind: 'a10' },
  'a100-40gb': { cpuKind: 'performance', cpus: 8, memoryMb: 32768, gpuKind: 'a100-pcie-40gb' },
  'a100-80gb': { cpuKind: 'performance', cpus: 8, memoryMb: 32768, gpuKind: 'a100-sxm4-80gb' },
  l40s: { cpuKind: 'performance', cpus: 8, memoryMb: 32768, gpuKind: 'l40s' },
};

export type Priced = { monthly: number; note: string } | { monthly?: undefined; note: string };

export function flyMachineMonthly(g: FlyGuest): Priced {
  const preset = FLY_PRICE_TABLE.presets.find((p) => p.cpuKind === g.cpuKind && p.cpus === g.cpus);
  if (!preset)
    return { note: `no Fly.io preset with ${g.cpus} ${g.cpuKind} CPU${g.cpus === 1 ? '' : 's'} in the price table` };
  const extraGb = Math.max(0, g.memoryMb - preset.memoryMb) / 1024;
  let monthly = preset.monthly + extraGb * FLY_PRICE_TABLE.extraMemoryGbMonthly;
  let note = `${preset.name}, ${g.memoryMb / 1024} GB`;
  if (g.gpuKind) {
    const hourly = FLY_PRICE_TABLE.gpuHourly[g.gpuKind];
    if (hourly === undefined) return { note: `GPU ${g.gpuKind} is not in the Fly.io price table` };
    monthly += hourly * HOURS_PER_MONTH;
    note += `, GPU ${g.gpuKind}`;
  }
  return { monthly: round(monthly), note };
}

export function flyVolumeMonthly(sizeGb: number): Priced {
  return { monthly: round(sizeGb * FLY_PRICE_TABLE.volumeGbMonthly), note: `volume, ${sizeGb} GB` };
}

/** A `[cloud.<name>.fly]` environment of helix.toml: one Machine of `vm_size` and its volume. */
export function flyEnvironmentMonthly(settings: Record<string, unknown>): { machine: Priced; volume?: Priced } {
  const size = String(settings.vm_size ?? '');
  const guest = FLY_VM_SIZES[size];
  const machine = guest ? flyMachineMonthly(guest) : { note: `vm_size "${size}" is not in the Fly.io price table` };
  const gb = Number(settings.volume_initial_size);
  return { machine, ...(settings.volume && Number.isFinite(gb) ? { volume: flyVolumeMonthly(gb) } : {}) };
}

/**
 * Terraform resources of Fly's provider (fly-apps/fly): `fly_machine` { cputype, cpus, memorymb } and
 * `fly_volume` { size } (GB). Undefined: not a Fly resource. A value the plan does not state is not guessed.
 */
export function flyTerraformMonthly(type: string, values: Record<string, unknown> | undefined): Priced | undefined {
  if (type !== 'fly_machine' && type !== 'fly_volume') return undefined;
  if (!values) return { note: 'its values are not in the plan' };
  if (type === 'fly_volume') {
    const size = Number(values.size);
    return Number.isFinite(size) && values.size !== null
      ? flyVolumeMonthly(size)
      : { note: 'size unknown until apply' };
  }
  const cpus = Number(values.cpus);
  const memoryMb = Number(values.memorymb);
  const cpuKind = typeof values.cputype === 'string' ? values.cputype : undefined;
  if (
    !cpuKind ||
    !Number.isFinite(cpus) ||
    !Number.isFinite(memoryMb) ||
    values.cpus === null ||
    values.memorymb === null
  ) {
    return { note: 'cputype, cpus or memorymb not set in the plan (the provider default is not assumed)' };
  }
  return flyMachineMonthly({
    cpuKind,
    cpus,
    memoryMb,
    gpuKind: typeof values.gpu_kind === 'string' ? values.gpu_kind : undefined,
  });
}

/** One line for a Fly deploy's log: what its Machine and volume cost by the shipped table. */
export function flyEnvironmentCostLine(settings: Record<string, unknown>): string {
  const { machine, volume } = flyEnvironmentMonthly(settings);
  const parts = [
    machine.monthly === undefined
      ? `Machine not estimated (${machine.note})`
      : `Machine ${money(machine.monthly)}/month (${machine.note})`,
  ];
  if (volume?.monthly !== undefined) parts.push(`volume ${money(volume.monthly)}/month (${volume.note})`);
  const total = machine.monthly !== undefined ? ` = ${money(machine.monthly + (volume?.monthly ?? 0))}/month` : '';
  return `Estimated cost by the ${FLY_SOURCE.label}: ${parts.join(' + ')}${total}.`;
}

const money = (n: number) => `$${n.toFixed(2)}`;

export const round = (n: number) => Math.round(n * 100) / 100;
