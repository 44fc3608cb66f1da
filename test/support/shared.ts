// The project's shared test data (../shared/data beside the checkout, as on developers' machines and CI).
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const repo = resolve(__dirname, '..', '..');

/** Absolute path inside shared/data; fails loudly when the data set is not there (never a silent skip). */
export function sharedData(...parts: string[]): string {
  const roots = [process.env.HELIX_SHARED_DATA, resolve(repo, '..', 'shared', 'data'), '/work/shared/data'].filter(
    Boolean,
  ) as string[];
  for (const root of roots) if (existsSync(join(root, ...parts))) return join(root, ...parts);
  throw new Error(`shared test data ${parts.join('/')} not found in ${roots.join(', ')} (set HELIX_SHARED_DATA)`);
}
