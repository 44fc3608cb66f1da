import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { DeployRunner, type RunSnapshot } from '../../../src/core/engine/engine';
import { Journal } from '../../../src/core/engine/journal';
import { LockManager } from '../../../src/core/engine/locks';
import type { DeployTarget } from '../../../src/core/engine/target';
import { Redactor } from '../../../src/core/process/redact';
import { TerraformProvider } from '../../../src/providers/terraform/terraform';

// Real terraform (builtin provider only: offline), one fresh directory per test.

export const CANARY = 'canary-9f3b2c7e-do-not-leak';
export const TF_ENV = { TF_CLI_CONFIG_FILE: '/dev/null', CHECKPOINT_DISABLE: '1' };

export function terraformAvailable(): void {
  const r = spawnSync('terraform', ['version'], { encoding: 'utf8' });
  if (r.status !== 0)
    throw new Error('terraform is not on PATH: these integration tests need the real CLI (terraform 1.11.4)');
}

export function workDir(name: string): string {
  const base = process.env.HELIX_TEST_TMP ?? os.tmpdir();
  fs.mkdirSync(base, { recursive: true });
  return fs.mkdtempSync(path.join(base, `tf-${name}-`));
}

export interface Harness {
  root: string;
  infra: string;
  engine: DeployRunner;
  journal: Journal;
  redactor: Redactor;
  journalFile: string;
  target(envName?: string, infra?: string): DeployTarget;
  writeTf(text: string, infra?: string): void;
  tf(args: string[], infra?: string): { code: number | null; stdout: string; stderr: string };
  close(): Promise<void>;
}

export async function harness(
  name: string,
  opts: { expiryMinutes?: number; tfPath?: string; root?: string } = {},
): Promise<Harness> {
  const root = opts.root ?? workDir(name);
  const infra = path.join(root, 'infra');
  fs.mkdirSync(infra, { recursive: true });
  const journalFile = path.join(root, '.helix', 'runs.jsonl');
  const redactor = new Redactor();
  const journal = await Journal.open(journalFile, { redact: (s) => redactor.redact(s) });
  const engine = new DeployRunner({
    journal,
    locks: new LockManager(path.join(root, '.helix', 'locks')),
    stateDir: path.join(root, '.helix'),
    providers: {
      terraform: new TerraformProvider({
        executable: () => opts.tfPath ?? 'terraform',
        env: TF_ENV,
        killAfterMs: 30_000,
      }),
    },
    who: () => 'Test User <test@example.invalid>',
    expiryMinutes: () => opts.expiryMinutes ?? 30,
    redactor,
  });
  const h: Harness = {
    root,
    infra,
    engine,
    journal,
    redactor,
    journalFile,
    target(envName = 'staging', dir = 'infra') {
      return {
        project: { name: 'demo', dir: root },
        environment: {
          name: envName,
          kind: 'terraform',
          source: 'helix.deploy.toml',
          image: 'ghcr.io/acme/helixdb',
          tag: '1.2.3',
          settings: { terraform: { dir, vars: { image: '${image}', db_password: '${env:HELIX_TEST_CANARY}' } } },
        },
      };
    },
    writeTf(text, dir = infra) {
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'main.tf'), VARS + text);
    },
    tf(args, dir = infra) {
      const r = spawnSync('terraform', args, {
        cwd: dir,
        encoding: 'utf8',
        env: { ...process.env, ...TF_ENV, TF_VAR_db_password: CANARY, TF_VAR_image: 'x' },
      });
      return { code: r.status, stdout: r.stdout, stderr: r.stderr };
    },
    async close() {
      await engine.dispose();
      await journal.close();
    },
  };
  return h;
}

/** Every config declares these: the image from helix.deploy.toml and a sensitive password from the environment. */
const VARS = `
variable "image" { type = string }
variable "db_password" {
  type      = string
  sensitive = true
}
`;

process.env.HELIX_TEST_CANARY = CANARY;

export async function planAndApprove(h: Harness, target = h.target(), destroy = false): Promise<RunSnapshot> {
  const handle = await h.engine.startPlan(target, { destroy });
  const snap = await handle.done;
  if (snap.run.state !== 'Planned')
    throw new Error(`plan ended ${snap.run.state}: ${snap.run.error}\n${snap.run.log.join('\n')}`);
  return h.engine.approve(snap.run.id, snap.planHash!);
}

export async function deploy(h: Harness, target = h.target(), destroy = false): Promise<RunSnapshot> {
  const approved = await planAndApprove(h, target, destroy);
  const applied = await (await h.engine.startApply(approved.run.id)).done;
  if (applied.run.state !== 'Applied')
    throw new Error(`apply ended ${applied.run.state}: ${applied.run.error}\n${applied.run.log.join('\n')}`);
  return applied;
}
