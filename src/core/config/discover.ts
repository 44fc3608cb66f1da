import * as fs from 'node:fs';
import * as path from 'node:path';

/** The files that make a folder a HelixDB project (helix.toml) or give it deployment settings. */
export const CONFIG_NAMES: ReadonlySet<string> = new Set(['helix.toml', 'helix.deploy.toml']);
/** Folders never searched: dependencies, build output, version control, our own state, hidden folders. */
const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', 'out', 'target', '.helix']);
/** Whether a folder of this name is one the search never enters (build output and the like). */
export const skipByDefault = (name: string): boolean => SKIP_DIRS.has(name) || name.startsWith('.');

export interface FindConfigsOptions {
  /** A folder that could not be read (its files go unchecked: the caller says so). */
  onUnreadable?: (dir: string, err: unknown) => void;
  /** Stop after this many directory entries; `truncated` then says the search is incomplete. */
  maxEntries?: number;
}

/** helix.toml / helix.deploy.toml files under `dir`, in a stable order (sorted by name at each level). */
export function findConfigs(dir: string, opts: FindConfigsOptions = {}): { files: string[]; truncated: boolean } {
  const files: string[] = [];
  let left = opts.maxEntries ?? Infinity;
  const walk = (d: string): boolean => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch (e) {
      opts.onUnreadable?.(d, e);
      return true;
    }
    left -= entries.length;
    if (left < 0) return false;
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.isDirectory()) {
        if (!skipByDefault(e.name) && !walk(path.join(d, e.name))) return false;
      } else if (CONFIG_NAMES.has(e.name)) files.push(path.join(d, e.name));
    }
    return true;
  };
  const complete = walk(dir);
  return { files, truncated: !complete };
}
