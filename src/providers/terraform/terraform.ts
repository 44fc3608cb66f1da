import { messageOf } from '../../core/errors';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type {
  ApplyRequest,
  ApplyResult,
  DeployProvider,
  DriftRequest,
  DriftResult,
  PlanRequest,
  PlanResult,
  ProgressEvent,
  ToolRequest,
  ToolStatus,
} from '../../core/engine/provider';
import { cancelledApplyMessage } from '../../core/engine/orphans';
import type { PlanDiagnostic, PlanModel } from '../../core/plan/model';
import { parseTerraformShow } from '../../core/plan/terraform/show';
import { driftFromTerraformShow } from '../../core/drift/terraform';
import {
  isStalePlanError,
  isStateLockError,
  needsInit,
  parseStreamLine,
  type StreamLine,
} from '../../core/plan/terraform/stream';
import { run, ToolNotFoundError, type SpawnResult } from '../../core/process/spawn';
import { describeErrors, describeStateLock, STALE_MESSAGE } from './errors';

// Terraform through its real CLI and JSON formats:
//   plan -out=P -json -detailed-exitcode (streamed)  ->  show -json P (reviewed diff)  ->  apply -json P.
// Every process gets an argument array; variables go through TF_VAR_* (never the command line, which
// other users can see in `ps`). The raw `show -json` text never leaves this file: only the redacted model.

export const TERRAFORM_PATH_SETTING = 'helixDeploy.terraform.path';
/** `plan -json` and `apply -json PLANFILE` with the documented UI format need 1.0+; 1.1 reports action reasons. */
const MIN_VERSION = [1, 1, 0];

export interface TerraformOptions {
  /** Executable (setting value or "terraform" from PATH). Read on each call so a changed setting applies. */
  executable: () => string;
  /** Extra environment (tests set TF_CLI_CONFIG_FILE=/dev/null). */
  env?: NodeJS.ProcessEnv;
  /** Grace period after the interrupt before escalating (default 60 s). */
  killAfterMs?: number;
}

export class TerraformProvider implements DeployProvider {
  readonly tool = 'terraform' as const;
  /** A working terraform stays working: re-check at most once a minute per path (each plan asks). */
  private okCache: { exe: string; at: number; status: ToolStatus } | undefined;
  constructor(private readonly opts: TerraformOptions) {}

  async status(): Promise<ToolStatus> {
    const exe = this.opts.executable();
    if (this.okCache && this.okCache.exe === exe && Date.now() - this.okCache.at < 60_000) return this.okCache.status;
    const status = await this.probe(exe);
    this.okCache = status.state === 'ok' ? { exe, at: Date.now(), status } : undefined;
    return status;
  }

  private async probe(exe: string): Promise<ToolStatus> {
    try {
      const r = await run(exe, ['version', '-json'], { env: this.env(), killAfterMs: 5000 });
      const version = (() => {
        try {
          return String(JSON.parse(r.stdout).terraform_version);
        } catch {
          return /v?(\d+\.\d+\.\d+)/.exec(r.stdout)?.[1] ?? '';
        }
      })();
      if (r.code !== 0 || !version) {
        return {
          state: 'broken',
          tool: 'terraform',
          path: exe,
          message: `\`${exe} version\` failed: ${r.stderr.trim() || `exit ${r.code}`}`,
          setting: TERRAFORM_PATH_SETTING,
        };
      }
      if (compare(version, MIN_VERSION) < 0) {
        return {
          state: 'unsupported',
          tool: 'terraform',
          path: exe,
          version,
          message: `Terraform ${version} is too old: Helix Deploy needs ${MIN_VERSION.join('.')} or later. Install a newer Terraform or point ${TERRAFORM_PATH_SETTING} at one.`,
          setting: TERRAFORM_PATH_SETTING,
        };
      }
      return { state: 'ok', tool: 'terraform', path: exe, version };
    } catch (err) {
      if (err instanceof ToolNotFoundError || (err as NodeJS.ErrnoException).code === 'EACCES') {
        return {
          state: 'missing',
          tool: 'terraform',
          path: exe,
          message: `Terraform was not found (looked for "${exe}"${path.isAbsolute(exe) ? '' : ' on PATH'}). Install Terraform, or set ${TERRAFORM_PATH_SETTING} to its full path.`,
          setting: TERRAFORM_PATH_SETTING,
        };
      }
      return {
        state: 'broken',
        tool: 'terraform',
        path: exe,
        message: messageOf(err),
        setting: TERRAFORM_PATH_SETTING,
      };
    }
  }

  async plan(req: PlanRequest): Promise<PlanResult> {
    const prep = await this.prepare(req);
    if (prep) return { outcome: 'errored', error: prep, errorCode: 'failed', binding: true };
    const args = ['plan', '-input=false', '-json', '-detailed-exitcode', '-lock-timeout=0s', `-out=${req.planFile}`];
    if (req.destroy) args.push('-destroy');
    let attempt = await this.stream(args, req);
    if (attempt.result.code === 1 && !attempt.result.cancelled && attempt.diags.some(needsInit)) {
      req.log('Terraform needs `init` (providers or modules changed); running it once.');
      const init = await this.init(req, true);
      if (init) return { outcome: 'errored', error: init, errorCode: 'failed', binding: true };
      attempt = await this.stream(args, req);
    }
    const { result, diags } = attempt;
    if (result.cancelled)
      return {
        outcome: 'cancelled',
        error: 'Cancelled: Terraform stopped after the interrupt.',
        errorCode: 'cancelled',
        binding: true,
      };
    const lock = diags.find((d) => d.severity === 'error' && isStateLockError(d));
    if (lock)
      return { outcome: 'errored', error: describeStateLock(lock, req.dir), errorCode: 'state-locked', binding: true };
    if (result.code === 0 || result.code === 2) {
      let model: PlanModel;
      try {
        model = await this.show({ ...req, planFile: req.planFile });
      } catch (err) {
        // A cancel that lands after terraform finished planning stops `terraform show`: the run is Cancelled
        // (the plan was never reviewed), not a failed plan.
        if (req.signal.aborted)
          return {
            outcome: 'cancelled',
            error: 'Cancelled after terraform finished planning: the plan was discarded before review.',
            errorCode: 'cancelled',
            binding: true,
          };
        throw err;
      }
      model.diagnostics.push(...diags.filter((d) => d.severity !== 'error'));
      return { outcome: result.code === 2 ? 'changes' : 'no-changes', model, binding: true };
    }
    // Errored: terraform still writes a plan file with what it computed before the error; show it if it can.
    let model: PlanModel | undefined;
    if (fs.existsSync(req.planFile)) {
      try {
        model = await this.show({ ...req, planFile: req.planFile });
        model.errored = true;
        model.diagnostics.push(...diags);
      } catch {
        /* the diagnostics below say enough */
      }
    }
    return {
      outcome: 'errored',
      model,
      error: describeErrors(diags, `terraform plan failed (exit ${result.code}): ${lastLine(result.stderr)}`),
      errorCode: 'failed',
      binding: true,
    };
  }

  async apply(req: ApplyRequest): Promise<ApplyResult> {
    const prep = await this.prepare(req, false);
    if (prep)
      return req.signal.aborted
        ? { outcome: 'cancelled', error: 'Cancelled before terraform apply started. Nothing was applied.' }
        : { outcome: 'failed', error: prep };
    // With a plan file terraform neither asks nor needs -auto-approve: it applies exactly that file.
    const started = new Set<string>();
    const completed: string[] = [];
    // Operations the plan announces (a replace is two: delete and create) and those that completed, per address.
    const expected = new Map<string, number>();
    const done = new Map<string, number>();
    let errored = false;
    const progress = (e: ProgressEvent) => {
      if (e.kind === 'planned') {
        const ops =
          e.change.action === 'replace' ? 2 : ['create', 'update', 'delete'].includes(e.change.action) ? 1 : 0;
        if (ops) expected.set(e.change.address, ops);
      }
      if (e.kind === 'apply-start') started.add(e.address);
      if (e.kind === 'apply-errored') errored = true;
      if (e.kind === 'apply-complete') {
        started.delete(e.address);
        completed.push(`${e.address} (${e.action})`);
        done.set(e.address, (done.get(e.address) ?? 0) + 1);
      }
      req.progress(e);
    };
    const everyChangeDone = () =>
      expected.size > 0 && !errored && started.size === 0 && [...expected].every(([a, n]) => (done.get(a) ?? 0) >= n);
    const { result, diags, outputs } = await this.stream(
      ['apply', '-input=false', '-json', '-lock-timeout=0s', req.planFile],
      { ...req, progress },
    );
    // Terraform's exit decides, not whether we asked it to stop: an interrupt that arrives as the apply
    // completes still leaves a completed apply (exit 0).
    if (result.code === 0) return { outcome: 'applied', outputs };
    if (result.cancelled && everyChangeDone()) {
      // The interrupt reached terraform after its last change ("execution halted", exit 1): the whole plan is
      // in the state, so the truth is an applied run, not a cancelled one.
      req.log(
        'Terraform stopped on the interrupt after its last change: every planned change is in the state, so the apply is complete.',
      );
      return { outcome: 'applied', outputs };
    }
    if (result.cancelled) return { outcome: 'cancelled', error: cancelledApplyMessage(completed, [...started]) };
    if (diags.some(isStalePlanError)) return { outcome: 'stale', error: STALE_MESSAGE };
    const lock = diags.find((d) => d.severity === 'error' && isStateLockError(d));
    if (lock) return { outcome: 'locked', error: describeStateLock(lock, req.dir) };
    return {
      outcome: 'failed',
      error: describeErrors(diags, `terraform apply failed (exit ${result.code}): ${lastLine(result.stderr)}`),
    };
  }

  /**
   * Drift: `plan -refresh-only` into a scratch plan (state is not written), then `show -json` of it, whose
   * `resource_drift` holds each object changed outside Terraform with its values (sensitive ones masked).
   */
  async drift(req: DriftRequest): Promise<DriftResult> {
    const prep = await this.prepare(req, false);
    if (prep) return req.signal.aborted ? { outcome: 'cancelled' } : { outcome: 'errored', error: prep };
    try {
      const args = ['plan', '-refresh-only', '-input=false', '-json', '-lock-timeout=0s', `-out=${req.scratchFile}`];
      const { result, diags } = await this.stream(args, { ...req, outputBase: undefined, progress: () => undefined });
      if (result.cancelled) return { outcome: 'cancelled', error: 'Cancelled: Terraform stopped after the interrupt.' };
      const lock = diags.find((d) => d.severity === 'error' && isStateLockError(d));
      if (lock) return { outcome: 'errored', error: describeStateLock(lock, req.dir) };
      if (result.code !== 0 || !fs.existsSync(req.scratchFile)) {
        return {
          outcome: 'errored',
          error: describeErrors(
            diags,
            `terraform plan -refresh-only failed (exit ${result.code}): ${lastLine(result.stderr)}`,
          ),
        };
      }
      const r = await run(this.opts.executable(), ['show', '-json', '-no-color', req.scratchFile], {
        cwd: req.dir,
        env: this.env(req),
        signal: req.signal,
        killAfterMs: this.opts.killAfterMs,
      });
      if (r.cancelled) return { outcome: 'cancelled' };
      if (r.code !== 0)
        return {
          outcome: 'errored',
          error: `terraform show failed: ${req.redactor.redact(lastLine(r.stderr) || `exit ${r.code}`)}`,
        };
      const report = driftFromTerraformShow(JSON.parse(r.stdout), { redactor: req.redactor });
      report.diagnostics.push(...diags.filter((d) => d.severity !== 'error'));
      return { outcome: 'checked', report };
    } finally {
      // The refresh-only plan holds the refreshed values (secrets included) in plain text.
      await fs.promises.rm(req.scratchFile, { force: true }).catch(() => undefined);
    }
  }

  async show(req: Omit<ToolRequest, 'log' | 'progress'> & { planFile: string }): Promise<PlanModel> {
    const r = await run(this.opts.executable(), ['show', '-json', '-no-color', req.planFile], {
      cwd: req.dir,
      env: this.env(req),
      signal: req.signal,
      killAfterMs: this.opts.killAfterMs,
    });
    if (r.code !== 0)
      throw new Error(`terraform show failed: ${req.redactor.redact(lastLine(r.stderr) || `exit ${r.code}`)}`);
    // Parse in memory, learn secrets, keep only the redacted model; the raw text is dropped here.
    return parseTerraformShow(JSON.parse(r.stdout), { redactor: req.redactor });
  }

  /**
   * The raw `terraform show -json` text of a plan, for the cost estimate (src/core/cost/estimator.ts). It holds
   * unredacted values: the caller keeps it in memory or in a private file it deletes.
   */
  async showJson(req: { dir: string; planFile: string; signal?: AbortSignal }): Promise<string> {
    const r = await run(this.opts.executable(), ['show', '-json', '-no-color', req.planFile], {
      cwd: req.dir,
      env: this.env(),
      signal: req.signal,
      killAfterMs: this.opts.killAfterMs,
    });
    if (r.code !== 0) throw new Error(`terraform show failed: ${lastLine(r.stderr) || `exit ${r.code}`}`);
    return r.stdout;
  }

  /** init when the working directory was never initialised; then the workspace. Returns an error text or undefined. */
  private async prepare(req: ToolRequest, mayCreateWorkspace = true): Promise<string | undefined> {
    if (!fs.existsSync(req.dir))
      return `The Terraform directory ${req.dir} does not exist (check terraform.dir in helix.deploy.toml).`;
    if (!fs.existsSync(path.join(req.dir, '.terraform'))) {
      const err = await this.init(req, false);
      if (err) return err;
    }
    if (req.workspace && req.workspace !== 'default' && mayCreateWorkspace) {
      const list = await run(this.opts.executable(), ['workspace', 'list'], {
        cwd: req.dir,
        env: this.env(),
        signal: req.signal,
      });
      const names = list.stdout.split('\n').map((l) => l.replace('*', '').trim());
      if (!names.includes(req.workspace)) {
        req.log(`Creating Terraform workspace "${req.workspace}".`);
        const r = await run(this.opts.executable(), ['workspace', 'new', '-lock-timeout=0s', req.workspace], {
          cwd: req.dir,
          env: this.env(),
          signal: req.signal,
        });
        if (r.code !== 0) return `Could not create workspace "${req.workspace}": ${lastLine(r.stderr)}`;
      }
    }
    return undefined;
  }

  private async init(req: ToolRequest, upgrade: boolean): Promise<string | undefined> {
    req.log(`$ terraform init -input=false${upgrade ? ' -upgrade' : ''}`);
    const args = ['init', '-input=false', '-no-color'];
    if (upgrade) args.push('-upgrade');
    const r = await run(this.opts.executable(), args, {
      cwd: req.dir,
      env: this.env(), // no TF_WORKSPACE: init must work before the workspace exists
      signal: req.signal,
      onStdout: (l) => l.trim() && req.log(l),
      onStderr: (l) => l.trim() && req.log(l),
      onSpawn: (pid) => req.spawned?.(pid),
      outputBase: req.outputBase,
      killAfterMs: this.opts.killAfterMs,
    });
    if (r.cancelled) return 'Cancelled during terraform init.';
    return r.code === 0 ? undefined : `terraform init failed in ${req.dir}: ${lastLine(r.stderr) || `exit ${r.code}`}`;
  }

  /** Runs a -json command, turning each message into a log line and progress. */
  private async stream(
    args: string[],
    req: ToolRequest,
  ): Promise<{ result: SpawnResult; diags: PlanDiagnostic[]; outputs: Record<string, unknown> }> {
    const diags: PlanDiagnostic[] = [];
    const outputs: Record<string, unknown> = {};
    req.log(`$ terraform ${args.map((a) => (a.startsWith('-out=') ? '-out=PLANFILE' : a)).join(' ')}`);
    const onLine = (line: string) => {
      const l = parseStreamLine(line);
      if (!l) {
        if (line.trim()) req.log(line);
        return;
      }
      this.onMessage(l, req, diags, outputs);
    };
    const result = await run(this.opts.executable(), args, {
      cwd: req.dir,
      env: this.env(req),
      signal: req.signal,
      collect: false,
      onStdout: onLine,
      onStderr: onLine,
      onSpawn: (pid) => req.spawned?.(pid),
      outputBase: req.outputBase,
      killAfterMs: this.opts.killAfterMs,
    });
    return { result, diags, outputs };
  }

  private onMessage(l: StreamLine, req: ToolRequest, diags: PlanDiagnostic[], outputs: Record<string, unknown>): void {
    const e = l.event;
    switch (e.type) {
      case 'diagnostic':
        diags.push(e.diagnostic);
        req.log(
          `${e.diagnostic.severity === 'error' ? 'Error' : 'Warning'}: ${e.diagnostic.summary}${e.diagnostic.detail ? `\n  ${e.diagnostic.detail.split('\n').join('\n  ')}` : ''}`,
        );
        return;
      case 'planned_change':
        req.progress({ kind: 'planned', change: e.change });
        break;
      case 'apply_start':
      case 'apply_progress':
      case 'apply_complete':
      case 'apply_errored':
        req.progress({
          kind: e.type.replace('_', '-') as 'apply-start',
          address: e.address,
          action: e.action,
          elapsed: e.elapsed,
        });
        break;
      case 'change_summary':
        req.progress({ kind: 'summary', text: l.message });
        break;
      case 'outputs':
        for (const [k, o] of Object.entries(e.outputs)) if (!o.sensitive && 'value' in o) outputs[k] = o.value;
        break;
    }
    if (l.message) req.log(l.message);
  }

  private env(req?: Pick<ToolRequest, 'vars' | 'workspace'>): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env, ...this.opts.env, TF_IN_AUTOMATION: '1', TF_INPUT: '0' };
    if (req?.workspace) env.TF_WORKSPACE = req.workspace;
    for (const [k, v] of Object.entries(req?.vars ?? {}))
      env[`TF_VAR_${k}`] = typeof v === 'string' ? v : JSON.stringify(v);
    return env;
  }
}

function lastLine(s: string): string {
  return s.trim().split('\n').filter(Boolean).pop()?.trim() ?? '';
}

function compare(version: string, min: number[]): number {
  const v = version.split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < min.length; i++) if ((v[i] ?? 0) !== min[i]) return (v[i] ?? 0) - min[i];
  return 0;
}
