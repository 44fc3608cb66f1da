import * as os from 'node:os';
import { run } from '../process/spawn';

/**
 * Who starts a run: "Name <email>" from git config (what teammates recognise in a shared history),
 * falling back to the OS user. Never throws.
 */
export async function whoAmI(cwd?: string): Promise<string> {
  const get = async (key: string) => {
    try {
      const r = await run('git', ['config', '--get', key], { cwd, killAfterMs: 2000 });
      return r.code === 0 ? r.stdout.trim() : '';
    } catch {
      return '';
    }
  };
  const [name, email] = await Promise.all([get('user.name'), get('user.email')]);
  if (name && email) return `${name} <${email}>`;
  if (name || email) return name || email;
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
}
