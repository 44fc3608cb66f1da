// Command lines we print for a person to paste into a POSIX shell (hints such as "Apply it with: ...").
// Every argument is quoted unless it is made only of characters no shell treats specially, so a name or
// path holding `$(...)`, backticks, `;`, spaces or quotes is pasted as data and never run.

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** One argument, POSIX-quoted: `it's` -> `'it'\''s'`, the empty string -> `''`. */
export function quoteArg(arg: string): string {
  if (SAFE.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** A whole command line, each argument quoted on its own. */
export function shellQuote(args: readonly string[]): string {
  return args.map(quoteArg).join(' ');
}
