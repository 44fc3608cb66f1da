import { createHash, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { shellQuote } from '../process/shell-quote';
import { DEFAULT_EXPIRY_MINUTES, DeployRunner, hashFile, withImage, type RunHandle } from './engine';
import { imageOf } from './image';
import { DeployError } from './errors';
import { INCOMING_PREFIX } from './history';
import type { RunRecord } from './journal';
import { deployedRecord, type DeployedRecord } from './rollback';
import { defaultContext, type DeployTarget, type ResolvedDeploySettings } from './target';

// What only the headless CLI needs: CI plans in one job and applies in another, so a plan leaves this
// process as a file (handOff, the plan run ends Saved) and comes back as its own run (applySavedPlan).
// Passing the file is the approval, so the file is only trusted as far as the run history vouches for it:
// its hash, its age, its project and environment, and the configuration it was planned with.

/** Whether `file` is `folder` or inside it (after resolving `..`). */
export function insideFolder(folder: string, file: string): boolean {
  const rel = path.relative(path.resolve(folder), path.resolve(file));
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/**
 * What the environment's configuration resolved to (tool, folder, workspace, variables) as one sha256:
 * recorded with a saved plan so an apply can tell the configuration changed. Secret values only enter
 * the hash; they are never stored.
 */
export function targetFingerprint(r: ResolvedDeploySettings): string {
  return createHash('sha256')
    .update(canonical({ tool: r.tool, dir: r.dir, workspace: r.workspace ?? null, vars: r.vars }))
    .digest('hex');
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

export class HeadlessDeployRunner extends DeployRunner {
  /**
   * Applies a plan file saved by `handOff` (`helix-deploy apply ENV --plan FILE`). Refused, with nothing
   * recorded or run, unless the run history has a Saved plan run of this project and environment whose
   * planHash is the file's, the plan has not expired, and the environment resolves as it did at plan time.
   * The file is copied into the private state folder first, so what is checked, shown and applied is one
   * and the same file.
   */
  async applySavedPlan(target: DeployTarget, file: string): Promise<RunHandle> {
    const source = path.resolve(file);
    const stat = await fs.promises.stat(source).catch(() => undefined);
    if (!stat)
      throw new DeployError('not-found', `No plan file ${source}. Make one with: ${this.planCommand(target, file)}`, [
        'Re-plan',
      ]);
    if (!stat.isFile())
      throw new DeployError(
        'not-found',
        `${source} is not a plan file (it is a ${stat.isDirectory() ? 'folder' : 'special file'}). Make one with: ${this.planCommand(target, file)}`,
        ['Re-plan'],
      );
    const dir = path.join(this.stateDirFor(target), 'plans');
    await fs.promises.mkdir(dir, { recursive: true, mode: 0o700 });
    const incoming = path.join(dir, `${INCOMING_PREFIX}${randomUUID()}.plan`);
    try {
      await fs.promises.copyFile(source, incoming);
      await fs.promises.chmod(incoming, 0o600);
      const hash = await hashFile(incoming);
      const planRun = this.savedPlanRun(target, source, file, hash);
      await this.checkSavedExpiry(target, source, file, planRun);
      const planned = planRun.meta?.planned as DeployedRecord | undefined;
      // The image the plan resolved (by digest), not a later push: the fingerprint check holds it to that.
      const image = imageOf(planRun);
      const effective = withImage(target, image);
      const { id, a, provider, who } = await this.openRun(
        effective,
        'apply',
        'Planned',
        { planSource: source, planRun: planRun.id, destroy: !!planRun.meta?.destroy, ...(image ? { image } : {}) },
        undefined,
        (resolved) => {
          this.checkFingerprint(effective, file, planRun, resolved);
          return resolved;
        },
      );
      this.useImage(a, target, image);
      const ext = /^\.[A-Za-z0-9]{1,16}$/.test(path.extname(source)) ? path.extname(source) : '.plan';
      a.planFile = path.join(dir, `${id}${ext}`);
      await fs.promises.rename(incoming, a.planFile);
      a.planHash = hash;
      a.destroy = !!planRun.meta?.destroy;
      // The deployed record says what was planned (and checked unchanged above), never a later re-resolution.
      if (planned) a.deployed = planned;
      const r = a.resolved;
      try {
        // Reading the plan learns its secrets (before any output is logged) and shows what will be applied.
        a.model = await provider.show({
          runId: id,
          dir: r.dir,
          vars: r.vars,
          workspace: r.workspace,
          signal: new AbortController().signal,
          redactor: this.redactor,
          planFile: a.planFile,
        });
        if (a.image) a.model = { ...a.model, image: a.image };
        this.events.fire({ type: 'model', runId: id });
      } catch (err) {
        await this.finish(id, 'Cancelled', `Could not read the plan file: ${this.message(err)}`);
        throw new DeployError(
          'not-found',
          `Could not read the plan file ${source}: ${this.message(err)}`,
          ['Re-plan'],
          { runId: id },
        );
      }
      // The rules may have changed since the plan was saved: what they deny now is not applied either.
      const guardrails = planRun.meta?.noChanges ? undefined : await this.checkGuardrails(id, a, false);
      try {
        this.refuseDenied(id, a);
      } catch (err) {
        await this.finish(id, 'Cancelled', `${this.message(err)}. Nothing was applied.`, { guardrails });
        throw err;
      }
      await this.opts.journal.transition(id, 'Approved', {
        meta: {
          approvedBy: who,
          approvedAt: new Date(this.now()).toISOString(),
          planHash: a.planHash,
          summary: a.model.summary,
        },
      });
      a.controller = new AbortController();
      await this.opts.journal.transition(id, 'Applying');
      a.done = this.executeApply(id, a, provider).then(async (snap) => {
        // Used up: a plan file we derived under .helix/ goes (it holds secrets); one the user placed elsewhere stays.
        if (snap.run.state === 'Applied' || snap.run.state === 'Unhealthy' || snap.run.state === 'Expired')
          await this.dropSaved(target, source);
        return snap;
      });
      return { id, done: a.done };
    } finally {
      await fs.promises.rm(incoming, { force: true }).catch(() => undefined);
    }
  }

  /**
   * Ends a Planned run by saving its plan file to `dest`; the apply comes later, from another process, as
   * its own run. The run ends Saved, recording where the plan went, when it was planned, the resolved
   * configuration's fingerprint and the (non-secret) variables planned: what applySavedPlan checks.
   */
  async handOff(runId: string, dest: string, applyCommand?: string): Promise<void> {
    const a = this.require(runId);
    const run = this.opts.journal.get(runId)!;
    if (run.state !== 'Planned' || !a.planFile)
      throw new DeployError('illegal', `Run ${runId} is ${run.state}; only a Planned run can be saved.`, [], { runId });
    await fs.promises.mkdir(path.dirname(path.resolve(dest)), { recursive: true });
    await fs.promises.copyFile(a.planFile, dest);
    await fs.promises.chmod(dest, 0o600);
    const planned = a.destroy
      ? undefined
      : deployedRecord(a.resolved, a.context ?? defaultContext(a.target), this.redactor);
    this.log(
      runId,
      `Plan saved to ${path.resolve(dest)}${applyCommand ? `; apply it with: ${applyCommand}` : ''} (a run of its own).`,
    );
    await this.finish(runId, 'Saved', undefined, {
      savedTo: path.resolve(dest),
      projectDir: path.resolve(a.target.project.dir),
      plannedAt: new Date(this.now()).toISOString(),
      fingerprint: targetFingerprint(a.resolved),
      ...(planned ? { planned } : {}),
    });
  }

  /** The Saved plan run vouching for these bytes, or a refusal saying which check failed. */
  private savedPlanRun(target: DeployTarget, source: string, file: string, hash: string): RunRecord {
    const env = target.environment.name;
    const runs = this.opts.journal.list({ projectDir: path.resolve(target.project.dir), kind: ['plan', 'destroy'] });
    const run = runs.find((r) => r.state === 'Saved' && r.meta?.planHash === hash);
    const refuse = (msg: string, code: 'tampered' | 'not-found' | 'illegal' = 'not-found') =>
      new DeployError(code, `${msg} Nothing was applied. Plan again with: ${this.planCommand(target, file)}`, [
        'Re-plan',
      ]);
    if (!run) {
      const saved = runs.find((r) => r.meta?.savedTo === source);
      if (saved)
        throw refuse(
          `Refused: ${source} is not the plan run ${saved.id} saved there (its sha256 differs from the one recorded at plan time: the file was changed).`,
          'tampered',
        );
      throw refuse(
        `Refused: no plan saved in this project's run history has the sha256 of ${source} (it was changed, made in another project folder, or its run is no longer in the history).`,
        'tampered',
      );
    }
    const projectDir = run.meta?.projectDir;
    if (typeof projectDir === 'string' && path.resolve(projectDir) !== path.resolve(target.project.dir)) {
      throw refuse(
        `Refused: ${source} was planned for the project in ${projectDir}, not ${target.project.dir}.`,
        'illegal',
      );
    }
    if (run.environment !== env) {
      const other = shellQuote(['helix-deploy', 'apply', run.environment, '--plan', file, ...this.projectArgs(target)]);
      throw new DeployError(
        'illegal',
        `Refused: ${source} is a plan of environment ${run.environment} (run ${run.id}), not ${env}. Nothing was applied. Apply it to ${run.environment} with: ${other}; or plan ${env} with: ${this.planCommand(target, undefined)}`,
        ['Re-plan'],
      );
    }
    const applied = this.opts.journal
      .list({ projectDir: path.resolve(target.project.dir), kind: 'apply' })
      .find((r) => r.meta?.planRun === run.id && (r.state === 'Applied' || r.state === 'Unhealthy'));
    if (applied)
      throw refuse(
        `Refused: the plan in ${source} (run ${run.id}) was already applied by run ${applied.id}.`,
        'illegal',
      );
    return run;
  }

  /**
   * Same expiry as the editor's, from the time recorded at plan time: a clock set forward only makes the plan
   * older, and a clock earlier than the plan time is refused rather than trusted.
   */
  private async checkSavedExpiry(target: DeployTarget, source: string, file: string, run: RunRecord): Promise<void> {
    const minutes = this.opts.expiryMinutes?.() ?? DEFAULT_EXPIRY_MINUTES;
    const plannedAt = Date.parse(String(run.meta?.plannedAt ?? run.endedAt ?? run.updatedAt));
    const recorded = Date.parse(String(run.meta?.expiresAt ?? ''));
    const deadline = Math.min(plannedAt + minutes * 60_000, Number.isNaN(recorded) ? Infinity : recorded);
    const now = this.now();
    const again = `Nothing was applied. Plan again with: ${this.planCommand(target, file)}`;
    if (Number.isNaN(plannedAt) || now < plannedAt - 60_000) {
      throw new DeployError(
        'expired',
        `Refused: the plan in ${source} (run ${run.id}) was recorded at ${run.meta?.plannedAt ?? 'an unknown time'}, after this machine's clock (${new Date(now).toISOString()}), so its age cannot be told. ${again}`,
        ['Re-plan'],
      );
    }
    if (now >= deadline) {
      await this.dropSaved(target, source);
      throw new DeployError(
        'expired',
        `Refused: the plan in ${source} (run ${run.id}, planned ${new Date(plannedAt).toISOString()}) expired: plans must be applied within ${minutes} minutes (HELIX_DEPLOY_PLAN_EXPIRY_MINUTES). ${again}`,
        ['Re-plan'],
      );
    }
  }

  /** The environment must resolve as it did when planned; says what changed (secret values are not shown). */
  private checkFingerprint(target: DeployTarget, file: string, run: RunRecord, now: ResolvedDeploySettings): void {
    const recorded = run.meta?.fingerprint;
    if (typeof recorded === 'string' && recorded === targetFingerprint(now)) return;
    const changes: string[] = [];
    if (typeof run.meta?.dir === 'string' && run.meta.dir !== now.dir)
      changes.push(`folder ${run.meta.dir} -> ${now.dir}`);
    if ((run.meta?.workspace ?? undefined) !== now.workspace)
      changes.push(`workspace ${String(run.meta?.workspace ?? '(default)')} -> ${now.workspace ?? '(default)'}`);
    const before = run.meta?.planned as DeployedRecord | undefined;
    if (before) {
      const after = deployedRecord(now, defaultContext(target), this.redactor);
      for (const k of new Set([
        ...Object.keys(before.vars),
        ...Object.keys(after.vars),
        ...before.secretVars,
        ...after.secretVars,
      ])) {
        if (before.secretVars.includes(k) || after.secretVars.includes(k)) continue;
        const b = JSON.stringify(before.vars[k]);
        const n = JSON.stringify(after.vars[k]);
        if (b !== n) changes.push(`variable ${k} ${b ?? '(unset)'} -> ${n ?? '(unset)'}`);
      }
    }
    const what =
      typeof recorded !== 'string'
        ? 'the plan run recorded no configuration fingerprint'
        : changes.length
          ? changes.join(', ')
          : 'a secret variable or other setting';
    throw new DeployError(
      'config',
      `Refused: the configuration of environment ${target.environment.name} changed since the plan in ${path.resolve(file)} was made (run ${run.id}): ${what}. Nothing was applied. Plan again with: ${this.planCommand(target, file)}`,
      ['Re-plan'],
    );
  }

  private async dropSaved(target: DeployTarget, source: string): Promise<void> {
    if (insideFolder(path.join(target.project.dir, '.helix'), source))
      await fs.promises.rm(source, { force: true }).catch(() => undefined);
  }

  /** `helix-deploy plan ENV [--out FILE] [--project DIR]`, shell-quoted, for a person to paste. */
  private planCommand(target: DeployTarget, file: string | undefined): string {
    return shellQuote([
      'helix-deploy',
      'plan',
      target.environment.name,
      ...(file ? ['--out', file] : []),
      ...this.projectArgs(target),
    ]);
  }

  private projectArgs(target: DeployTarget): string[] {
    return path.resolve(target.project.dir) === process.cwd() ? [] : ['--project', path.resolve(target.project.dir)];
  }
}
