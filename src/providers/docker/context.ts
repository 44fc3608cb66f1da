import * as fs from 'node:fs';
import * as path from 'node:path';
import dockerignore from '@balena/dockerignore';
import * as tar from 'tar-fs';

// The build context as the docker CLI sends it: a tar of the context folder minus what .dockerignore
// excludes (the Dockerfile and .dockerignore always go, as the CLI does). Uncompressed: the engine is
// local, so gzip would only cost CPU.

export function contextFiles(contextDir: string, dockerfile = 'Dockerfile'): string[] {
  let ignore: ReturnType<typeof dockerignore> | undefined;
  try {
    ignore = dockerignore({ ignorecase: false }).add(fs.readFileSync(path.join(contextDir, '.dockerignore'), 'utf8'));
  } catch {
    ignore = undefined;
  }
  const keepAlways = new Set([dockerfile.replace(/\\/g, '/'), '.dockerignore']);
  const out: string[] = [];
  const walk = (rel: string) => {
    const abs = path.join(contextDir, rel);
    for (const ent of fs.readdirSync(abs, { withFileTypes: true })) {
      const r = rel ? `${rel}/${ent.name}` : ent.name;
      if (ignore && ignore.ignores(r) && !keepAlways.has(r)) {
        // A directory can be excluded while a `!` rule re-includes something inside it: descend then.
        if (ent.isDirectory() && hasNegation(ignore)) walk(r);
        continue;
      }
      if (ent.isDirectory()) walk(r);
      else out.push(r);
    }
  };
  walk('');
  return out;
}

function hasNegation(ig: unknown): boolean {
  return ((ig as { _rules?: { negative: boolean }[] })._rules ?? []).some((r) => r.negative);
}

export function packContext(contextDir: string, dockerfile = 'Dockerfile'): NodeJS.ReadableStream {
  const entries = contextFiles(contextDir, dockerfile);
  return tar.pack(contextDir, { entries });
}
