import { messageOf } from '../core/errors';
import { parseArgs } from 'node:util';
import { CliUsageError } from './commands/deploy-env';

export interface ParsedArgs<V extends string, F extends string> {
  help: boolean;
  values: Partial<Record<V, string>>;
  flags: Record<F, boolean>;
  /** The one positional argument (ENV or FILE), if given. */
  positional?: string;
}

/**
 * One argument parser for the subcommands: `--name value` or `--name=value` options, boolean flags,
 * `-h/--help` and at most one positional. Mistakes become CliUsageError (exit 2 with a message).
 */
export function parseCommandArgs<V extends string, F extends string>(
  argv: string[],
  spec: { values?: readonly V[]; flags?: readonly F[] },
): ParsedArgs<V, F> {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const v of spec.values ?? []) options[v] = { type: 'string' };
  for (const f of spec.flags ?? []) options[f] = { type: 'boolean' };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    // Node's messages name the option ("Unknown option '--x'", "Option '--out <value>' argument missing").
    throw new CliUsageError(messageOf(err).replace(/\. To specify a positional.*$/s, ''));
  }
  if (parsed.positionals.length > 1) throw new CliUsageError(`unexpected argument '${parsed.positionals[1]}'`);
  const values = {} as Partial<Record<V, string>>;
  for (const v of spec.values ?? []) if (typeof parsed.values[v] === 'string') values[v] = parsed.values[v] as string;
  const flags = {} as Record<F, boolean>;
  for (const f of spec.flags ?? []) flags[f] = parsed.values[f] === true;
  return { help: parsed.values.help === true, values, flags, positional: parsed.positionals[0] };
}
