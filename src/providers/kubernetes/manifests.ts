import * as fs from 'node:fs';
import * as path from 'node:path';
import { run } from '../../core/process/spawn';
import { HelixError, type HelixErrorOptions, messageOf } from '../../core/errors';

// Reads an environment's manifests: a folder of YAML/JSON files (recursively, in a stable order), a single
// file, or a kustomization (rendered by `kubectl kustomize <dir>`, spawned with an argument array).

export class ManifestsError extends HelixError {
  constructor(message: string, options?: HelixErrorOptions) {
    super('manifests', message, options);
  }
}

/** Whether rendering this target needs kubectl (a kustomization folder). */
export function isKustomization(target: string): boolean {
  return KUSTOMIZATION.some((f) => fs.existsSync(path.join(target, f)));
}

const MANIFEST = /\.(ya?ml|json)$/i;
const KUSTOMIZATION = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

export async function readManifests(
  target: string,
  opts: { kubectl?: string; signal?: AbortSignal } = {},
): Promise<[string, string][]> {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(target);
  } catch {
    throw new ManifestsError(
      `manifests path ${target} does not exist (run "Helix: Write Starter Kubernetes Manifests" or fix kubernetes.manifests)`,
    );
  }
  if (stat.isFile()) return [[path.basename(target), fs.readFileSync(target, 'utf8')]];
  if (KUSTOMIZATION.some((k) => fs.existsSync(path.join(target, k)))) {
    const kubectl = opts.kubectl ?? 'kubectl';
    let r;
    try {
      r = await run(kubectl, ['kustomize', target], { signal: opts.signal, killAfterMs: 5000 });
    } catch (err) {
      throw new ManifestsError(`${target} is a kustomization, which needs kubectl to render: ${messageOf(err)}`);
    }
    if (r.code !== 0)
      throw new ManifestsError(`kubectl kustomize ${target} failed: ${r.stderr.trim() || `exit ${r.code}`}`);
    return [['kustomize-output.yaml', r.stdout]];
  }
  const out: [string, string][] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (MANIFEST.test(e.name)) out.push([path.relative(target, p), fs.readFileSync(p, 'utf8')]);
    }
  };
  walk(target);
  if (!out.length) throw new ManifestsError(`no .yaml/.yml/.json manifests in ${target}`);
  return out;
}
