import * as fs from 'node:fs';
import { createRequire, wrap } from 'node:module';
import * as path from 'node:path';
import * as vm from 'node:vm';

// V8 compiles all of a CommonJS file before its first line runs; for the extension that was a third of the
// activation time. V8's code cache skips that work, so the extension is compiled through it, as VS Code does for
// its own code. V8 checks a cache against the source's length only, so a cache is named after the file's path,
// size and modification time (hashing the source would cost half of what the cache saves); a cache V8 rejects
// (another V8, other flags) is replaced.

export interface CachedModule {
  /** The module's `module.exports`. */
  readonly exports: unknown;
  /** How the compile went: from the cache, with no cache yet, or with a cache V8 refused. */
  readonly cache: 'used' | 'none' | 'rejected';
  /**
   * Writes the cache for the next start (after start-up, so it holds the functions start-up compiled too).
   * Best effort: a folder it cannot write only means the next start compiles again.
   */
  save(): void;
}

/** Loads the CommonJS file `file` like `require` would, compiled through a code cache kept in `cacheDir`. */
export function loadWithCodeCache(file: string, cacheDir: string): CachedModule {
  const source = fs.readFileSync(file, 'utf8');
  const stat = fs.statSync(file);
  const key = `${fnv1a(file).toString(36)}-${stat.size.toString(36)}-${Math.round(stat.mtimeMs).toString(36)}`;
  const cacheFile = path.join(cacheDir, `${path.basename(file)}.${key}.v8cache`);
  const cachedData = readIfPresent(cacheFile);
  const script = new vm.Script(wrap(source), { filename: file, cachedData });
  const cache = !cachedData ? 'none' : script.cachedDataRejected ? 'rejected' : 'used';
  const module = { exports: {} as unknown, filename: file, id: file, loaded: false };
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run.call(module.exports, module.exports, createRequire(file), module, file, path.dirname(file));
  module.loaded = true;
  return {
    exports: module.exports,
    cache,
    save: () => {
      if (cache === 'used') return;
      try {
        fs.mkdirSync(cacheDir, { recursive: true });
        // Two windows may start at once: each writes its own file and renames it, so no one reads half of one.
        const tmp = `${cacheFile}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, script.createCachedData());
        fs.renameSync(tmp, cacheFile);
        for (const old of fs.readdirSync(cacheDir))
          if (old.startsWith(`${path.basename(file)}.`) && old.endsWith('.v8cache') && old !== path.basename(cacheFile))
            fs.rmSync(path.join(cacheDir, old), { force: true });
      } catch {
        // Read-only or full storage: the extension works the same, it only compiles again next time.
      }
    },
  };
}

function readIfPresent(file: string): Buffer | undefined {
  try {
    return fs.readFileSync(file);
  } catch {
    return undefined;
  }
}

/** 32-bit FNV-1a of a short string: tells apart the caches of two installed versions of the extension. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}
