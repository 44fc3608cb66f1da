import * as fs from 'node:fs';
import * as path from 'node:path';
import { run, ToolNotFoundError } from '../process/spawn';
import type { GuardrailFinding } from './types';

// The team's own policies through conftest: `conftest test --output json --policy DIR FILE` on the plan,
// with its `deny`/`violation` results as denies and `warn` results as warnings. A missing conftest, a
// policy that does not load or output that is not conftest's JSON is a deny naming the problem: a policy
// that could not run never passes silently.

export interface ConftestOptions {
  /** The conftest executable (setting helixDeploy.conftest.path, HELIX_DEPLOY_CONFTEST_PATH, else `conftest`). */
  executable: string;
  /** Private folder for the input file (removed afterwards). */
  workDir: string;
  signal?: AbortSignal;
}

interface ConftestMessage {
  msg?: unknown;
  metadata?: Record<string, unknown>;
}

interface ConftestResult {
  filename?: string;
  namespace?: string;
  failures?: ConftestMessage[];
  warnings?: ConftestMessage[];
}

export async function conftestFindings(
  policyDir: string,
  input: unknown,
  o: ConftestOptions,
): Promise<GuardrailFinding[]> {
  const deny = (message: string): GuardrailFinding[] => [
    { rule: 'conftest', severity: 'deny', source: 'conftest', message },
  ];
  if (!fs.existsSync(policyDir))
    return deny(`conftest policy folder ${policyDir} does not exist (guardrails.policy.conftest in helix.deploy.toml)`);
  await fs.promises.mkdir(o.workDir, { recursive: true, mode: 0o700 });
  const file = path.join(o.workDir, `plan-${process.pid}-${Date.now()}.json`);
  await fs.promises.writeFile(file, JSON.stringify(input), { mode: 0o600 });
  try {
    const args = ['test', '--no-color', '--output', 'json', '--policy', policyDir, file];
    let r;
    try {
      r = await run(o.executable, args, { signal: o.signal, killAfterMs: 5000 });
    } catch (err) {
      if (err instanceof ToolNotFoundError || (err as NodeJS.ErrnoException).code === 'EACCES') {
        return deny(
          `conftest was not found (looked for "${o.executable}"): install conftest, or set helixDeploy.conftest.path ` +
            `(HELIX_DEPLOY_CONFTEST_PATH for the CLI); the policies in ${policyDir} were not checked`,
        );
      }
      throw err;
    }
    if (r.cancelled) return deny('conftest was cancelled: the policies were not checked');
    const results = parseConftestOutput(r.stdout);
    if (!results) {
      const why = r.stderr.trim().split('\n').filter(Boolean).pop() ?? `exit ${r.code}`;
      return deny(`conftest failed, the policies in ${policyDir} were not checked: ${why}`);
    }
    const out: GuardrailFinding[] = [];
    for (const res of results) {
      for (const [list, severity] of [
        [res.failures, 'deny'],
        [res.warnings, 'warn'],
      ] as const) {
        for (const m of list ?? []) {
          const address = typeof m.metadata?.address === 'string' ? m.metadata.address : undefined;
          out.push({
            rule: `conftest:${res.namespace ?? 'main'}`,
            severity,
            source: 'conftest',
            message: String(m.msg ?? '(no message)'),
            ...(address ? { address } : {}),
          });
        }
      }
    }
    return out;
  } finally {
    await fs.promises.rm(file, { force: true });
  }
}

/** conftest's `--output json`: an array of per-file results. Undefined when the text is not that. */
export function parseConftestOutput(stdout: string): ConftestResult[] | undefined {
  let v: unknown;
  try {
    v = JSON.parse(stdout);
  } catch {
    return undefined;
  }
  if (!Array.isArray(v) || !v.every((x) => x && typeof x === 'object')) return undefined;
  return v as ConftestResult[];
}
