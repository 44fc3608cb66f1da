import * as fs from 'node:fs';
import * as path from 'node:path';
import type {
  ApplyRequest,
  ApplyResult,
  DriftRequest,
  DriftResult,
  DeployProvider,
  PlanRequest,
  PlanResult,
  ToolRequest,
  ToolStatus,
} from '../../core/engine/provider';
import type { PlanModel } from '../../core/plan/model';
import { parsePulumiEventLine, parsePulumiEvents, stripAnsi } from '../../core/plan/pulumi/events';
import { parsePulumiPreview } from '../../core/plan/pulumi/preview';
import { PULUMI_REPLAN_NOTICE, PULUMI_SAVED_PLAN_NOTICE } from '../../core/plan/pulumi/values';
import type { Redactor } from '../../core/process/redact';
import { run, ToolNotFoundError } from '../../core/process/spawn';
import { driftFromPulumi } from '../../core/drift/pulumi';
import type { DriftReport } from '../../core/drift/model';
import { messageOf } from '../../core/errors';

// Pulumi through its CLI's JSON formats: `preview --json` for the reviewed diff, `up --json` (engine events)
// for progress. Pulumi re-plans at `up`; when the CLI offers the experimental saved plans
// (`preview --save-plan` + `up --plan`, behind PULUMI_EXPERIMENTAL) they are used so `up` cannot exceed
// the reviewed preview. Config values from `${env:...}` (secrets) go through `config set --secret` on stdin,
// never on the command line.

export const PULUMI_PATH_SETTING = 'helixDeploy.pulumi.path';

export interface PulumiOptions {
  executable: () => string;
  env?: NodeJS.ProcessEnv;
  killAfterMs?: number;
}

export class PulumiProvider implements DeployProvider {
  readonly tool = 'pulumi' as const;
  private savedPlans: boolean | undefined;

  constructor(private readonly opts: PulumiOptions) {}

  async status(): Promise<ToolStatus> {
    const exe = this.opts.executable();
    try {
      const r = await run(exe, ['version'], { env: this.env(), killAfterMs: 5000 });
      const version = /v?(\d+\.\d+\.\d+\S*)/.exec(r.stdout)?.[1];
      if (r.code !== 0 || !version)
        return {
          state: 'broken',
          tool: 'pulumi',
          path: exe,
          message: `\`${exe} version\` failed: ${r.stderr.trim() || `exit ${r.code}`}`,
          setting: PULUMI_PATH_SETTING,
        };
      if (Number(version.split('.')[0]) < 3) {
        return {
          state: 'unsupported',
          tool: 'pulumi',
          path: exe,
          version,
          message: `Pulumi ${version} is too old: Helix Deploy needs 3.0 or later (set ${PULUMI_PATH_SETTING}).`,
          setting: PULUMI_PATH_SETTING,
        };
      }
      const features = (await this.hasSavedPlans()) ? ['saved-plans'] : [];
      return { state: 'ok', tool: 'pulumi', path: exe, version, features };
    } catch (err) {
      if (err instanceof ToolNotFoundError || (err as NodeJS.ErrnoException).code === 'EACCES') {
        return {
          state: 'missing',
          tool: 'pulumi',
          path: exe,
          message: `Pulumi was not found (looked for "${exe}"${path.isAbsolute(exe) ? '' : ' on PATH'}). Install the Pulumi CLI, or set ${PULUMI_PATH_SETTING} to its full path.`,
          setting: PULUMI_PATH_SETTING,
        };
      }
      return { state: 'broken', tool: 'pulumi', path: exe, message: messageOf(err), setting: PULUMI_PATH_SETTING };
    }
  }

  /** `--save-plan` is only listed when PULUMI_EXPERIMENTAL is set and the CLI supports it. */
  private async hasSavedPlans(): Promise<boolean> {
    if (this.savedPlans === undefined) {
      try {
        const r = await run(this.opts.executable(), ['preview', '--help'], { env: this.env(), killAfterMs: 5000 });
        this.savedPlans = r.code === 0 && r.stdout.includes('--save-plan');
      } catch {
        this.savedPlans = false;
      }
    }
    return this.savedPlans;
  }

  async plan(req: PlanRequest): Promise<PlanResult> {
    const prep = await this.prepare(req);
    if (prep) return { outcome: 'errored', error: prep, errorCode: 'failed', binding: false };
    const saved = !req.destroy && (await this.hasSavedPlans());
    const args = req.destroy
      ? ['destroy', '--preview-only', '--json', '--non-interactive', ...this.stackArgs(req), ...this.configArgs(req)]
      : ['preview', '--json', '--non-interactive', ...this.stackArgs(req), ...this.configArgs(req)];
    if (saved) args.push(`--save-plan=${req.planFile}`);
    req.log(`$ pulumi ${redactArgs(args).join(' ')}`);
    const r = await run(this.opts.executable(), args, {
      cwd: req.dir,
      env: this.env(),
      signal: req.signal,
      onStderr: (l) => l.trim() && req.log(stripAnsi(l)),
      onSpawn: (pid) => req.spawned?.(pid),
      outputBase: req.outputBase,
      killAfterMs: this.opts.killAfterMs,
    });
    if (r.cancelled)
      return {
        outcome: 'cancelled',
        error: 'Cancelled: Pulumi stopped after the interrupt.',
        errorCode: 'cancelled',
        binding: saved,
      };
    let model: PlanModel | undefined;
    try {
      // `destroy --preview-only --json` may print a preview digest or engine events: accept both.
      model = parseEither(r.stdout, req.redactor);
    } catch (err) {
      return {
        outcome: 'errored',
        error: `pulumi ${args[0]} failed (exit ${r.code}): ${req.redactor.redact(lastLine(r.stderr) || messageOf(err))}`,
        errorCode: 'failed',
        binding: saved,
      };
    }
    model.notices = [
      ...(model.notices ?? []).filter((n) => n !== PULUMI_REPLAN_NOTICE),
      saved ? PULUMI_SAVED_PLAN_NOTICE : PULUMI_REPLAN_NOTICE,
    ];
    for (const change of model.resources) req.progress({ kind: 'planned', change });
    if (!saved) await fs.promises.writeFile(req.planFile, r.stdout, { mode: 0o600 }); // what was reviewed, for the hash
    if (r.code !== 0 || model.errored) {
      const errs = model.diagnostics.filter((d) => d.severity === 'error').map((d) => d.summary);
      return {
        outcome: 'errored',
        model,
        error: errs.join('\n') || `pulumi ${args[0]} failed (exit ${r.code})`,
        errorCode: isLocked(r.stderr) ? 'state-locked' : 'failed',
        binding: saved,
      };
    }
    const s = model.summary;
    const changes = s.create + s.update + s.delete + s.replace + s.import + s.forget > 0;
    return { outcome: changes ? 'changes' : 'no-changes', model, binding: saved };
  }

  /**
   * Drift: `preview --refresh --expect-no-changes --json` refreshes the stack from the cloud (in memory: a
   * preview writes no state) and compares it with the program. Exit 255 with changes is drift, not a failure.
   */
  async drift(req: DriftRequest): Promise<DriftResult> {
    const prep = await this.prepare(req);
    if (prep) return req.signal.aborted ? { outcome: 'cancelled' } : { outcome: 'errored', error: prep };
    const args = [
      'preview',
      '--refresh',
      '--expect-no-changes',
      '--json',
      '--non-interactive',
      ...this.stackArgs(req),
      ...this.configArgs(req),
    ];
    req.log(`$ pulumi ${args.join(' ')}`);
    const r = await run(this.opts.executable(), args, {
      cwd: req.dir,
      env: this.env(),
      signal: req.signal,
      onStderr: (l) => l.trim() && req.log(stripAnsi(l)),
      killAfterMs: this.opts.killAfterMs,
    });
    if (r.cancelled) return { outcome: 'cancelled', error: 'Cancelled: Pulumi stopped after the interrupt.' };
    let report: DriftReport;
    try {
      report = driftFromPulumi(r.stdout, { redactor: req.redactor });
    } catch (err) {
      return {
        outcome: 'errored',
        error: `pulumi preview --refresh failed (exit ${r.code}): ${req.redactor.redact(lastLine(r.stderr) || messageOf(err))}`,
      };
    }
    const errors = report.diagnostics.filter((d) => d.severity === 'error');
    if (r.code !== 0 && !report.resources.length) {
      return {
        outcome: 'errored',
        report,
        error:
          errors.map((d) => d.summary).join('\n') ||
          `pulumi preview --refresh failed (exit ${r.code}): ${req.redactor.redact(lastLine(r.stderr))}`,
      };
    }
    return { outcome: 'checked', report };
  }

  async apply(req: ApplyRequest): Promise<ApplyResult> {
    const prep = await this.prepare(req);
    if (prep) return { outcome: 'failed', error: prep };
    const saved = !req.destroy && (await this.hasSavedPlans());
    const args = [
      req.destroy ? 'destroy' : 'up',
      '--yes',
      '--skip-preview',
      '--json',
      '--non-interactive',
      ...this.stackArgs(req),
      ...this.configArgs(req),
    ];
    if (saved) args.push(`--plan=${req.planFile}`);
    req.log(`$ pulumi ${redactArgs(args).join(' ')}`);
    const errors: string[] = [];
    let failed = false;
    const r = await run(this.opts.executable(), args, {
      cwd: req.dir,
      env: this.env(),
      signal: req.signal,
      collect: false,
      onStdout: (line) => {
        const e = parsePulumiEventLine(line);
        if (!e) {
          if (line.trim()) req.log(stripAnsi(line));
          return;
        }
        switch (e.kind) {
          // With --skip-preview every step event is an operation (recordings may still flag `planning`).
          case 'pre':
            req.progress({ kind: 'apply-start', address: e.urn, action: e.op });
            req.log(`${e.op} ${e.urn} ...`);
            break;
          case 'outputs':
            req.progress({ kind: 'apply-complete', address: e.urn, action: e.op });
            req.log(`${e.op} ${e.urn} done`);
            break;
          case 'failed':
            failed = true;
            req.progress({ kind: 'apply-errored', address: e.urn, action: e.op });
            req.log(`${e.op} ${e.urn} FAILED`);
            break;
          case 'diagnostic': {
            const msg = stripAnsi(e.message).trim();
            if (!msg) break;
            if (e.severity === 'error') errors.push(e.urn ? `${e.urn}: ${msg}` : msg);
            req.log(`${e.severity}: ${msg}`);
            break;
          }
          case 'stdout':
            if (stripAnsi(e.message).trim()) req.log(stripAnsi(e.message).trimEnd());
            break;
          case 'summary':
            req.progress({
              kind: 'summary',
              text: `Resources: ${Object.entries(e.resourceChanges)
                .map(([k, v]) => `${v} ${k}`)
                .join(', ')}`,
            });
            if (e.maybeCorrupt)
              errors.push('Pulumi reports the stack may be corrupt: run `pulumi refresh` before the next update.');
            break;
        }
      },
      onStderr: (l) => {
        if (!l.trim()) return;
        req.log(stripAnsi(l));
        if (/error:/i.test(l)) errors.push(stripAnsi(l).trim());
      },
      onSpawn: (pid) => req.spawned?.(pid),
      outputBase: req.outputBase,
      killAfterMs: this.opts.killAfterMs,
    });
    // Pulumi's exit decides: an update that completed as the interrupt arrived is applied.
    if (r.code === 0 && !failed) return { outcome: 'applied' };
    if (r.cancelled)
      return {
        outcome: 'cancelled',
        error:
          'Cancelled: Pulumi finished the operations in flight and stopped. Run a new preview to see what remains.',
      };
    const text = errors.join('\n') || `pulumi ${args[0]} failed (exit ${r.code})`;
    if (isLocked(text))
      return {
        outcome: 'locked',
        error: `The Pulumi stack is locked by another update. Wait for it to finish; if it crashed, run \`pulumi cancel\` yourself (Helix Deploy never does). ${text}`,
      };
    if (/plan.*(does not match|mismatch|exceed)|constraint/i.test(text))
      return {
        outcome: 'stale',
        error: `The saved plan no longer matches the stack: ${text}. Nothing beyond the plan was applied; re-plan.`,
      };
    return { outcome: 'failed', error: text };
  }

  async show(req: Omit<ToolRequest, 'log' | 'progress'> & { planFile: string }): Promise<PlanModel> {
    // A saved preview digest (or event log) is already the reviewed document.
    return parseEither(await fs.promises.readFile(req.planFile, 'utf8'), req.redactor);
  }

  private async prepare(req: ToolRequest): Promise<string | undefined> {
    if (!fs.existsSync(req.dir))
      return `The Pulumi project directory ${req.dir} does not exist (check pulumi.dir in helix.deploy.toml).`;
    if (req.workspace) {
      const r = await run(this.opts.executable(), ['stack', 'select', '--create', '--non-interactive', req.workspace], {
        cwd: req.dir,
        env: this.env(),
        signal: req.signal,
      });
      if (r.code !== 0) return `Could not select Pulumi stack "${req.workspace}": ${lastLine(r.stderr)}`;
    }
    // Secret config (values that came from the environment) through stdin, so it is never in `ps` or logs.
    for (const [key, value] of Object.entries(req.vars)) {
      if (typeof value !== 'string' || !req.redactor.isSecret(value)) continue;
      const r = await run(this.opts.executable(), ['config', 'set', '--secret', ...this.stackArgs(req), key], {
        cwd: req.dir,
        env: this.env(),
        input: value,
        signal: req.signal,
      });
      if (r.code !== 0) return `Could not set secret config "${key}": ${req.redactor.redact(lastLine(r.stderr))}`;
    }
    return undefined;
  }

  private stackArgs(req: ToolRequest): string[] {
    return req.workspace ? ['--stack', req.workspace] : [];
  }

  private configArgs(req: ToolRequest): string[] {
    const out: string[] = [];
    for (const [key, value] of Object.entries(req.vars)) {
      if (typeof value === 'string' && req.redactor.isSecret(value)) continue; // set with --secret above
      out.push('--config', `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
    }
    return out;
  }

  private env(): NodeJS.ProcessEnv {
    // PULUMI_EXPERIMENTAL exposes saved plans; the rest keeps output machine-friendly.
    return {
      ...process.env,
      ...this.opts.env,
      PULUMI_EXPERIMENTAL: 'true',
      PULUMI_SKIP_UPDATE_CHECK: 'true',
      NO_COLOR: '1',
    };
  }
}

function parseEither(text: string, redactor: Redactor): PlanModel {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return parsePulumiEvents(text, { redactor });
  }
  return parsePulumiPreview(doc, { redactor });
}

function redactArgs(args: string[]): string[] {
  return args.map((a) => (a.startsWith('--save-plan=') || a.startsWith('--plan=') ? a.replace(/=.*/, '=PLANFILE') : a));
}

function isLocked(text: string): boolean {
  return /currently locked|lock(ed)? by|conflict: another update is currently in progress/i.test(text);
}

function lastLine(s: string): string {
  return s.trim().split('\n').filter(Boolean).pop()?.trim() ?? '';
}
