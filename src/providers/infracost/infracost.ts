import * as path from 'node:path';
import type { InfracostOutcome, InfracostRunner } from '../../core/cost/estimator';
import { messageOf } from '../../core/errors';
import { run, ToolNotFoundError } from '../../core/process/spawn';

// The `infracost` CLI: `infracost breakdown --path plan.json --format json` on the plan Terraform showed.
// The API key goes to the process as INFRACOST_API_KEY (its documented variable) and nowhere else: not in
// the arguments, the log, the run history or any file. Not installed is a state said in the estimate.

export const INFRACOST_PATH_SETTING = 'helixDeploy.infracost.path';

export interface InfracostOptions {
  executable: () => string;
  /** The API key (VS Code's SecretStorage in the editor; the CLI's own INFRACOST_API_KEY). */
  apiKey: () => Promise<string | undefined> | string | undefined;
  /** How to point at the program, said when it is missing (a setting, or an environment variable for the CLI). */
  howToSetPath?: string;
  timeoutMs?: number;
}

export class InfracostProvider implements InfracostRunner {
  private version: string | undefined;

  constructor(private readonly opts: InfracostOptions) {}

  async breakdown(planJsonFile: string, signal?: AbortSignal): Promise<InfracostOutcome> {
    const exe = this.opts.executable();
    const key = (await this.opts.apiKey()) || undefined;
    const env: NodeJS.ProcessEnv = { ...process.env, INFRACOST_SKIP_UPDATE_CHECK: 'true', INFRACOST_NO_COLOR: 'true' };
    if (key) env.INFRACOST_API_KEY = key;
    const hide = (s: string) => (key ? s.split(key).join('(sensitive)') : s);
    const timeout = AbortSignal.timeout(this.opts.timeoutMs ?? 120_000);
    const both = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      this.version ??= await this.readVersion(exe, env);
      const r = await run(exe, ['breakdown', '--path', planJsonFile, '--format', 'json', '--no-color'], {
        cwd: path.dirname(planJsonFile),
        env,
        signal: both,
        killAfterMs: 5000,
      });
      if (r.cancelled)
        return {
          state: 'failed',
          message: timeout.aborted
            ? 'Infracost did not answer within its time limit: no estimate from it.'
            : 'Infracost was cancelled.',
        };
      if (r.code !== 0) {
        const last =
          r.stderr
            .split('\n')
            .map((l) => l.trim())
            .filter(Boolean)
            .pop() ?? `exit ${r.code}`;
        const hint =
          !key && /api.?key/i.test(r.stderr)
            ? ' Set the Infracost API key (Helix: Set Infracost API Key, or INFRACOST_API_KEY for the CLI).'
            : '';
        return { state: 'failed', message: `Infracost failed: ${hide(last).replace(/\.$/, '')}.${hint}` };
      }
      return { state: 'ok', json: r.stdout, version: this.version };
    } catch (err) {
      if (err instanceof ToolNotFoundError || (err as NodeJS.ErrnoException).code === 'EACCES') {
        return {
          state: 'missing',
          message: `Infracost is not installed (looked for "${exe}"${path.isAbsolute(exe) ? '' : ' on PATH'}): cloud resources are not estimated. Install it, or ${this.opts.howToSetPath ?? `set ${INFRACOST_PATH_SETTING}`}.`,
        };
      }
      return { state: 'failed', message: `Infracost failed: ${hide(messageOf(err))}` };
    }
  }

  private async readVersion(exe: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
    const r = await run(exe, ['--version'], { env, killAfterMs: 5000 });
    return /v?(\d+\.\d+\.\d+\S*)/.exec(r.stdout)?.[1];
  }
}
