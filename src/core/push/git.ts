import { run } from '../process/spawn';

/** The commit a project folder is at, and whether it has uncommitted changes; empty outside git. */
export async function gitState(dir: string): Promise<{ commit?: string; dirty: boolean }> {
  try {
    const head = await run('git', ['rev-parse', 'HEAD'], { cwd: dir, killAfterMs: 5000 });
    if (head.code !== 0) return { dirty: false };
    const status = await run('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: dir, killAfterMs: 5000 });
    return { commit: head.stdout.trim(), dirty: status.code === 0 && status.stdout.trim().length > 0 };
  } catch {
    return { dirty: false }; // no git installed: tags simply carry no commit
  }
}
