import * as fs from 'node:fs';
import * as path from 'node:path';
import { DeployEngine, hashFile, type RunHandle } from './engine';
import { EngineError } from './errors';
import type { DeployTarget } from './target';

// What only the headless CLI needs: CI plans in one job and applies in another, so a plan leaves this
// process as a file (handOff) and comes back as its own run (applySavedPlan). Same locks, journal, redaction.

export class HeadlessDeployEngine extends DeployEngine {
  /**
   * Applies a plan file made earlier (`helix-deploy apply ENV --plan FILE`): passing the file is the
   * approval. It is copied into the private state folder first, so what is hashed, shown and applied is
   * one and the same file.
   */
  async applySavedPlan(target: DeployTarget, file: string): Promise<RunHandle> {
    const { id, a, provider, who } = await this.openRun(target, 'apply', 'Planned', { planSource: path.resolve(file) }, () => {
      if (!fs.existsSync(file)) throw new EngineError('not-found', `No plan file ${file}. Run \`helix-deploy plan ${target.environment.name} --out ${file}\` first.`, ['Re-plan']);
    });
    const dir = path.join(this.stateDirFor(target), 'plans');
    await fs.promises.mkdir(dir, { recursive: true, mode: 0o700 });
    a.planFile = path.join(dir, `${id}${path.extname(file) || '.plan'}`);
    await fs.promises.copyFile(file, a.planFile);
    await fs.promises.chmod(a.planFile, 0o600);
    a.planHash = await hashFile(a.planFile);
    const r = a.resolved;
    try {
      // Reading the plan learns its secrets (before any output is logged) and shows what will be applied.
      a.model = await provider.show({ runId: id, dir: r.dir, vars: r.vars, workspace: r.workspace, signal: new AbortController().signal, redactor: this.redactor, planFile: a.planFile });
      this.events.fire({ type: 'model', runId: id });
    } catch (err) {
      await this.finish(id, 'Cancelled', `Could not read the plan file: ${this.message(err)}`);
      throw new EngineError('not-found', `Could not read the plan file ${file}: ${this.message(err)}`, ['Re-plan'], { runId: id });
    }
    await this.opts.journal.transition(id, 'Approved', { meta: { approvedBy: who, approvedAt: new Date(this.now()).toISOString(), planHash: a.planHash, summary: a.model.summary } });
    a.controller = new AbortController();
    await this.opts.journal.transition(id, 'Applying');
    a.done = this.executeApply(id, a, provider);
    return { id, done: a.done };
  }

  /**
   * Ends a Planned run by saving its plan file to `dest`; the apply comes later, from another process, as
   * its own run. The run is recorded as Saved (a success, not a cancel) with where the plan went.
   */
  async handOff(runId: string, dest: string): Promise<void> {
    const a = this.require(runId);
    const run = this.opts.journal.get(runId)!;
    if (run.state !== 'Planned' || !a.planFile) throw new EngineError('illegal', `Run ${runId} is ${run.state}; only a Planned run can be saved.`, [], { runId });
    await fs.promises.mkdir(path.dirname(path.resolve(dest)), { recursive: true });
    await fs.promises.copyFile(a.planFile, dest);
    await fs.promises.chmod(dest, 0o600);
    await this.finish(runId, 'Saved', undefined, {
      savedTo: path.resolve(dest),
      handedOff: true,
    });
  }
}
