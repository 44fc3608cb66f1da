// The 5,000-line helix.toml of the config benchmark (test/bench/config.bench.ts): the typical file's instances repeated
// with distinct names and ports. Shared with the fast-path test, which checks this file takes the fast path.
export function bigHelixToml(): string {
  const lines = ['# generated', '[project]', 'name = "big"', ''];
  for (let i = 0; lines.length < 5000; i++) {
    lines.push(
      `# instance ${i}`,
      `[local.dev${i}]`,
      `port = ${10000 + i}`,
      'image = "ghcr.io/helixdb/helixdb"',
      'tag = "v0.0.4"',
      `storage = "${i % 2 ? 'memory' : 'disk'}"`,
      '',
    );
  }
  lines.push('[enterprise.production]', 'cluster_id = "ec_01HX"', 'gateway_url = "https://gateway.example.com"');
  return lines.join('\n') + '\n';
}
