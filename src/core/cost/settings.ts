import { parseConfig } from '../config/validate';
import { child, toPlain } from '../config/tree';
import type { KubernetesRates } from './kubernetes';

// `[cost.kubernetes]` of helix.deploy.toml (the schema checks the keys and that rates are numbers >= 0):
//   cpu_core_hour = 0.0316, memory_gib_hour = 0.0042, storage_gib_month = 0.10

export function kubernetesRatesFrom(deployText: string | undefined): KubernetesRates | undefined {
  if (deployText === undefined) return undefined;
  const parsed = parseConfig(deployText);
  const node = parsed.tree && child(parsed.tree, 'cost', 'kubernetes');
  if (!node || node.kind !== 'table') return undefined;
  const t = toPlain(node) as Record<string, unknown>;
  const rate = (k: string) =>
    typeof t[k] === 'number' && Number.isFinite(t[k]) && (t[k] as number) >= 0 ? (t[k] as number) : undefined;
  const rates: KubernetesRates = {
    cpuCoreHour: rate('cpu_core_hour'),
    memoryGibHour: rate('memory_gib_hour'),
    storageGibMonth: rate('storage_gib_month'),
  };
  return Object.values(rates).some((v) => v !== undefined) ? rates : undefined;
}
