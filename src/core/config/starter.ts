// The starter helix.toml written by "Helix: Create Starter helix.toml".
// It targets the current CLI (v3.1 keys only, no enterprise block) so every generation accepts it.

/** Folder names become project names; the CLI builds container names from them, so keep them tame. */
export function starterProjectName(folderName: string): string {
  const cleaned = folderName.toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '');
  return cleaned || 'helix-app';
}

export function starterHelixToml(folderName: string): string {
  return `[project]
name = "${starterProjectName(folderName)}"

# A local instance: the helix CLI runs it with Docker (\`helix start dev\`).
[local.dev]
port = 6969
image = "ghcr.io/helixdb/helixdb"
tag = "v0.0.4"
# storage = "disk"   # memory (default), disk or s3
`;
}
