import * as fs from 'node:fs';
import * as path from 'node:path';

// `.env` beside helix.toml, as `helix start`/`query` load it. Values of secret-looking keys never reach a log:
// callers describe the env with `describeEnv`, and the journal's redactor gets `secretValues`.

const SECRET_KEY =
  /(SECRET|TOKEN|PASSW(OR)?D|PWD|API[_-]?KEY|ACCESS[_-]?KEY|PRIVATE|CREDENTIAL|AUTH|SESSION|COOKIE|SIGNATURE|_KEY$|^KEY$)/i;

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** Parses KEY=VALUE lines: comments, `export `, single/double quotes (double quotes expand \n). */
export function parseDotenv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    let value = m[2];
    if (value.startsWith('"') && value.lastIndexOf('"') > 0) {
      value = value.slice(1, value.lastIndexOf('"')).replace(/\\n/g, '\n').replace(/\\"/g, '"');
    } else if (value.startsWith("'") && value.lastIndexOf("'") > 0) {
      value = value.slice(1, value.lastIndexOf("'"));
    } else {
      value = value.replace(/\s+#.*$/, '').trim();
    }
    out[m[1]] = value;
  }
  return out;
}

export function readDotenv(projectDir: string): Record<string, string> {
  try {
    return parseDotenv(fs.readFileSync(path.join(projectDir, '.env'), 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw err;
  }
}

/** `KEY=value` for plain keys, `KEY=***` for secret-looking ones: safe to log. */
export function describeEnv(env: Record<string, string>): string[] {
  return Object.entries(env).map(([k, v]) => (isSecretKey(k) ? `${k}=***` : `${k}=${v}`));
}

/** Values that must be masked wherever they show up (log lines, errors). */
export function secretValues(env: Record<string, string>): string[] {
  return Object.entries(env)
    .filter(([k, v]) => isSecretKey(k) && v.length >= 4)
    .map(([, v]) => v);
}

/** A redactor replacing each secret value by `***`. */
export function redactor(secrets: readonly string[]): (text: string) => string {
  const list = [...new Set(secrets)].sort((a, b) => b.length - a.length);
  if (!list.length) return (t) => t;
  return (text) => {
    let out = text;
    for (const s of list) if (out.includes(s)) out = out.split(s).join('***');
    return out;
  };
}
