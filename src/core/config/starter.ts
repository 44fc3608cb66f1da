import type { Generation } from '../model/types';
import { DEFAULT_GENERATION, defaultsFor, generationLabel } from './generation';

// The starter helix.toml written by "Helix: Create Starter helix.toml": a local instance with the defaults
// of the CLI release in use (the newest known when no helix CLI is installed), no enterprise block.

/** Folder names become project names; the CLI builds container names from them, so keep them tame. */
export function starterProjectName(folderName: string): string {
  const cleaned = folderName
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return cleaned || 'helix-app';
}

export function starterHelixToml(
  folderName: string,
  generation: Generation = DEFAULT_GENERATION,
  release?: string,
): string {
  const d = defaultsFor(generation, release);
  const head = `[project]
name = "${starterProjectName(folderName)}"
`;
  if (generation === 'v2') {
    return `${head}
# A local instance: the helix CLI (${generationLabel(generation)}) builds and runs it with Docker (\`helix push dev\`).
[local.dev]
port = ${d.port}
build_mode = "dev"
`;
  }
  return `${head}
# A local instance: the helix CLI runs it with Docker (\`helix start dev\`). Defaults of ${generationLabel(generation)}.
[local.dev]
port = ${d.port}
image = "${d.image}"
tag = "${d.tag}"
# storage = "disk"   # memory (default), disk${generation === 'v3.0' ? '' : ' or s3'}
`;
}
