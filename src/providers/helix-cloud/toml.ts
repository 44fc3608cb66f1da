// Just enough TOML writing for the pruned helix.toml the deploy payload carries ([project] plus the one
// instance). The server parses it with the CLI's own serde types, so plain tables and values suffice.

export type Value = string | number | boolean | Value[] | { [k: string]: Value };

const bare = (k: string) => (/^[A-Za-z0-9_-]+$/.test(k) ? k : JSON.stringify(k));
const isTable = (v: unknown): v is Record<string, Value> => !!v && typeof v === 'object' && !Array.isArray(v);

function scalar(v: Value): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(scalar).join(', ')}]`;
  return `{ ${Object.entries(v)
    .map(([k, x]) => `${bare(k)} = ${scalar(x)}`)
    .join(', ')} }`;
}

export function writeToml(root: Record<string, Value>, path: string[] = []): string {
  const lines: string[] = [];
  const tables: [string, Record<string, Value>][] = [];
  for (const [k, v] of Object.entries(root)) {
    if (v === undefined || v === null) continue;
    if (isTable(v)) tables.push([k, v]);
    else lines.push(`${bare(k)} = ${scalar(v)}`);
  }
  let out = '';
  if (path.length && (lines.length || !tables.length)) out += `[${path.map(bare).join('.')}]\n`;
  if (lines.length) out += lines.join('\n') + '\n';
  for (const [k, v] of tables) {
    const sub = writeToml(v, [...path, k]);
    out += (out ? '\n' : '') + sub;
  }
  return out;
}
