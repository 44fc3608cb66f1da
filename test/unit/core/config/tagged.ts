// toml-test's tagged JSON from our parse path (parseConfig -> value tree). Also a toml-test decoder:
// `npx tsx test/unit/config/tagged.ts < file.toml` prints tagged JSON, or exits 1 on invalid TOML.
import { parseConfig } from '../../../../src/core/config/validate';
import type { ConfigNode } from '../../../../src/core/config/tree';

const DT: Record<string, string> = {
  'offset-date-time': 'datetime',
  'local-date-time': 'datetime-local',
  'local-date': 'date-local',
  'local-time': 'time-local',
};

export function tagged(n: ConfigNode): unknown {
  switch (n.kind) {
    case 'table': {
      const o: Record<string, unknown> = {};
      for (const [k, v] of n.entries!) o[k] = tagged(v);
      return o;
    }
    case 'array':
      return n.items!.map(tagged);
    case 'string':
      return { type: 'string', value: n.value };
    case 'integer':
      return { type: 'integer', value: String(n.bigint ?? n.value) };
    case 'float': {
      const v = n.value as number;
      return {
        type: 'float',
        value: Number.isNaN(v)
          ? 'nan'
          : v === Infinity
            ? 'inf'
            : v === -Infinity
              ? '-inf'
              : Object.is(v, -0)
                ? '-0'
                : String(v),
      };
    }
    case 'boolean':
      return { type: 'bool', value: String(n.value) };
    default:
      return {
        type: DT[n.kind],
        value: String(n.value)
          .replace(/^(\d{4}-\d{2}-\d{2})[ tT]/, '$1T')
          .replace(/z$/, 'Z'),
      };
  }
}

/** Decode TOML text to tagged JSON; throws with the diagnostic message when it is invalid. */
export function decode(text: string): unknown {
  const { tree, error } = parseConfig(text);
  if (!tree) throw new Error(error?.message ?? 'invalid');
  return tagged(tree);
}

if (process.argv[1] && /tagged\.ts$/.test(process.argv[1])) {
  const chunks: Buffer[] = [];
  process.stdin.on('data', (c) => chunks.push(c));
  process.stdin.on('end', () => {
    try {
      const text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
      process.stdout.write(JSON.stringify(decode(text)) + '\n');
    } catch (e) {
      process.stderr.write(`${(e as Error).message}\n`);
      process.exit(1);
    }
  });
}
