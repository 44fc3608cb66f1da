import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * The API key the helix CLI itself uses, so a user who ran `helix auth login` is not asked again:
 * HELIX_API_KEY, else `helix_user_key` in ~/.helix/credentials (CLI v2-3.1). Read only.
 */
export async function helixCliApiKey(
  env: NodeJS.ProcessEnv = process.env,
  home = os.homedir(),
): Promise<string | undefined> {
  if (env.HELIX_API_KEY) return env.HELIX_API_KEY;
  try {
    const text = await fs.readFile(path.join(home, '.helix', 'credentials'), 'utf8');
    const m = /^\s*helix_user_key\s*=\s*(.+?)\s*$/m.exec(text);
    return m?.[1];
  } catch {
    return undefined;
  }
}
