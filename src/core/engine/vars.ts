import { HelixError, type HelixErrorOptions } from '../errors';

// `${name}` substitution in helix.deploy.toml values (e.g. vars = { image = "${image}" }).
// Unknown names are an error that names the key and the known names, never a silent empty string.

export class SubstitutionError extends HelixError {
  constructor(message: string, options?: HelixErrorOptions) {
    super('config', message, options);
  }
}

export function substitute(
  value: unknown,
  ctx: Record<string, string | undefined>,
  where = 'vars',
  /** Told about every value read from the process environment (callers treat them as secrets). */
  fromEnv?: (value: string) => void,
): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][\w.:-]*)\}/g, (_m, name: string) => {
      if (name.startsWith('env:')) {
        const v = process.env[name.slice(4)];
        if (v === undefined)
          throw new SubstitutionError(
            `${where}: environment variable ${name.slice(4)} is not set (used as \${${name}})`,
          );
        fromEnv?.(v);
        return v;
      }
      const v = ctx[name];
      if (v === undefined) {
        const known = Object.keys(ctx).filter((k) => ctx[k] !== undefined);
        throw new SubstitutionError(
          `${where}: \${${name}} has no value here` +
            (known.length ? ` (known: ${known.map((k) => `\${${k}}`).join(', ')}, \${env:NAME})` : ''),
        );
      }
      return v;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => substitute(v, ctx, `${where}[${i}]`, fromEnv));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = substitute(v, ctx, `${where}.${k}`, fromEnv);
    return out;
  }
  return value;
}
