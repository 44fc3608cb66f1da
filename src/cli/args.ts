import { messageOf } from '../core/errors';
import { parseArgs } from 'node:util';
import { CliUsageError, reportError } from './commands/deploy-env';

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

interface CommandSpec<V extends string, F extends string> {
  values?: readonly V[];
  flags?: readonly F[];
  /** The command's help text, printed for -h/--help. */
  help: string;
  /** Names the required positional argument ("ENV", "FILE") for the usage error when it is missing. */
  positional?: string;
  /** Further checks of the arguments; a CliUsageError it throws is a usage error like the others. */
  check?: (args: ParsedArgs<V, F>) => void;
}

/**
 * A subcommand's arguments, or the exit code to return at once: 0 after printing its help, 2 after printing a
 * usage error (a bad option, the missing positional, or what `check` refuses).
 */
export function commandArgs<V extends string, F extends string>(
  cmd: string,
  argv: string[],
  spec: CommandSpec<V, F> & { positional: string },
): (ParsedArgs<V, F> & { positional: string }) | number;
export function commandArgs<V extends string, F extends string>(
  cmd: string,
  argv: string[],
  spec: CommandSpec<V, F>,
): ParsedArgs<V, F> | number;
export function commandArgs<V extends string, F extends string>(
  cmd: string,
  argv: string[],
  spec: CommandSpec<V, F>,
): ParsedArgs<V, F> | number {
  try {
    const args = parseCommandArgs(argv, spec);
    if (args.help) {
      process.stdout.write(spec.help + '\n');
      return 0;
    }
    if (spec.positional && !args.positional) throw new CliUsageError(`missing ${spec.positional} (see --help)`);
    spec.check?.(args);
    return args;
  } catch (err) {
    return reportError(cmd, err);
  }
}
