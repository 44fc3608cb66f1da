import type { Generation } from '../model/types';
import type { ConfigNode } from './tree';
import { child } from './tree';
import type { ConfigDiagnostic, ConfigFix, OffsetRange } from './types';
import { insertKeyEdit, insertTableEdit, replaceEdit, tomlKey } from './edit';
import { atLeast, generationLabel, GENERATION_TABLE } from './generation';
import { PortAllocator } from '../local/ports';
import { ownKeyRules } from './own-keys';
import { imageReferenceProblem, isValidTag } from '../push/reference';

// The helix CLI's own semantic checks (order and wording: docs/helix-cli-compat.md), with its wording. They run after the schema check;
// where the CLI says it better, its message replaces the schema's.

export interface RuleContext {
  text: string;
  generation: Generation;
  /** The CLI release whose rules apply (release-bound rules such as the name length); newest known when omitted. */
  release?: string;
  /** helix.toml as the CLI names it in messages (path relative to the working folder). */
  file: string;
  /** Folder name, offered as project name when it is blank. */
  folderName?: string;
}

export const INSTANCE_NAME = /^[A-Za-z0-9_-]+$/;

export function instancesOf(
  root: ConfigNode,
  generation: Generation,
): { table: string; name: string; node: ConfigNode }[] {
  const out: { table: string; name: string; node: ConfigNode }[] = [];
  const tables = generation === 'v2' ? ['local', 'enterprise', 'cloud'] : ['local', 'enterprise'];
  for (const t of tables) {
    const n = root.entries?.get(t);
    if (n?.kind !== 'table') continue;
    for (const [name, node] of n.entries!) out.push({ table: t, name, node });
  }
  return out;
}

/** The diagnostics a rule set reports, and `err` to add one (an error unless told otherwise). */
export function diagnosticSink() {
  const out: ConfigDiagnostic[] = [];
  const err = (
    range: OffsetRange,
    code: string,
    message: string,
    fixes?: ConfigFix[],
    severity: ConfigDiagnostic['severity'] = 'error',
  ) => out.push({ start: range.start, end: range.end, severity, code, message, fixes });
  return { out, err };
}

export function helixRules(root: ConfigNode, c: RuleContext): ConfigDiagnostic[] {
  const { out, err } = diagnosticSink();
  const project = child(root, 'project');

  const name = child(project, 'name');
  if (name?.kind === 'string' && String(name.value).trim() === '') {
    const fixes = c.folderName
      ? [
          {
            title: `Set name to "${c.folderName}"`,
            edits: [replaceEdit(name.range, JSON.stringify(c.folderName))],
            preferred: true,
          },
        ]
      : undefined;
    err(
      name.range,
      'project-name',
      `project name cannot be empty in ${c.file}: give the project a name, e.g. name = "${c.folderName ?? 'my-helix-app'}"`,
      fixes,
    );
  }

  const all = instancesOf(root, c.generation);
  if (project?.kind === 'table' && all.length === 0) {
    const edit = insertTableEdit(c.text, project, '[local.dev]', ['port = 6969']);
    err(
      project.range,
      'no-instance',
      `at least one instance must be defined in ${c.file}: add one with \`helix add local --name dev\` (or \`helix add enterprise\`)`,
      edit ? [{ title: 'Add [local.dev]', edits: [edit], preferred: true }] : undefined,
    );
  }

  const spec = GENERATION_TABLE[c.generation];
  const seen = new Map<string, string>();
  for (const { table, name: n, node } of all) {
    const at = node.keyRange ?? node.range;
    if (n.trim() === '')
      err(
        at,
        'instance-name',
        `instance name cannot be empty in ${c.file}: name it in the table header, e.g. [${table}.dev]`,
      );
    else if (!INSTANCE_NAME.test(n)) {
      const strict = spec.nameCharsetEnforced;
      err(
        at,
        'instance-name',
        `instance name '${n}' in ${c.file} must contain only ASCII letters, digits, '-', or '_'${strict ? '' : ' (helix CLI 3.x after #1025 and 3.4 reject it)'}; names build container names and state paths`,
        undefined,
        strict ? 'error' : 'warning',
      );
    } else if (spec.maxNameLength && n.length > spec.maxNameLength.max) {
      const enforced = atLeast(c.release, spec.maxNameLength.since);
      const m = spec.maxNameLength.max;
      err(
        at,
        'instance-name',
        `instance name '${n}' in ${c.file} must be at most ${m} characters${enforced ? '' : ` (helix CLI ${spec.maxNameLength.since} and later reject it)`}`,
        undefined,
        enforced ? 'error' : 'warning',
      );
    }
    const prev = seen.get(n);
    // The CLI loads both tables ([local] and [enterprise] are separate maps) and only `helix add` checks
    // across them, so this is a trap rather than a file the CLI refuses.
    if (prev) err(at, 'duplicate-instance', duplicateMessage(n, prev, table, c.generation), undefined, 'warning');
    else seen.set(n, table);

    if (table === 'local' && c.generation !== 'v2') s3Rules(node, n, c, err);
    // The instance's image becomes `${image}` of deploy environments (a terraform variable, maybe a shell word).
    const image = child(node, 'image');
    const imageProblem = image?.kind === 'string' ? imageReferenceProblem(String(image.value)) : undefined;
    if (imageProblem) err(image!.range, 'image-reference', `image of instance '${n}' in ${c.file}: ${imageProblem}`);
    const tag = child(node, 'tag');
    // A digest tag (sha256:<64 hex>) is the schema's business: it knows which CLI releases take one.
    if (tag?.kind === 'string' && !/^sha256:/.test(String(tag.value)) && !isValidTag(String(tag.value)))
      err(
        tag.range,
        'image-reference',
        `tag of instance '${n}' in ${c.file}: ${JSON.stringify(String(tag.value))} is not an image tag (letters, digits, _ . -, at most 128, not starting with . or -)`,
      );
    if (table === 'enterprise' && spec.cloud !== 'database') {
      const id = child(node, 'cluster_id');
      if (id?.kind === 'string' && String(id.value).trim() === '')
        err(id.range, 'cluster-id', `Enterprise instance '${n}' must have a non-empty cluster_id in ${c.file}`);
    }
    if (table === 'cloud') {
      const id = child(node, 'helix', 'cluster_id');
      if (id?.kind === 'string' && String(id.value).trim() === '')
        err(id.range, 'cluster-id', `cloud instance '${n}' must have a non-empty cluster_id in ${c.file}`);
    }
    if (table === 'enterprise' && spec.cloud === 'database') {
      const db = child(node, 'database');
      if (db?.kind === 'string') {
        const v = String(db.value);
        const m = /^(cluster|tenant):(.*)$/.exec(v);
        if (!m)
          err(
            db.range,
            'database',
            `database must be cluster:<id> or tenant:<id> (got ${JSON.stringify(v)} in [enterprise.${n}])`,
          );
        else if (!/^[A-Za-z0-9_-]{1,128}$/.test(m[2]))
          err(
            db.range,
            'database',
            `database ID is invalid: the id after "${m[1]}:" must be 1-128 ASCII letters, digits, '-' or '_'`,
          );
      }
    }
  }
  portRules(all, c, err);
  out.push(...ownKeyRules(root, c.file));
  return out;
}

function duplicateMessage(n: string, first: string, second: string, gen: Generation): string {
  const picks = first === 'local' || second === 'local' ? 'local' : first;
  const other = picks === first ? second : first;
  return `instance '${n}' is defined twice, as [${first}.${n}] and [${second}.${n}]: the helix CLI (${generationLabel(gen)}) loads the file, but every command that takes an instance name (\`helix start ${n}\`, \`helix status ${n}\`...) picks [${picks}.${n}], so [${other}.${n}] cannot be reached by name, and \`helix add\` refuses the name (instance '${n}' already exists in helix.toml); rename one of them`;
}

type Err = (
  range: OffsetRange,
  code: string,
  message: string,
  fixes?: ConfigFix[],
  severity?: ConfigDiagnostic['severity'],
) => void;

function s3Rules(node: ConfigNode, n: string, c: RuleContext, err: Err): void {
  const storage = child(node, 'storage');
  const s3 = child(node, 's3');
  const isS3 = storage?.kind === 'string' && storage.value === 's3';
  if (isS3 && !s3) {
    const edit = node.table ? insertTableEdit(c.text, node, `[local.${tomlKey(n)}.s3]`, ['bucket = ""']) : undefined;
    err(
      storage!.range,
      's3-missing',
      `local instance '${n}' uses s3 storage but has no [local.${n}.s3] config in ${c.file}: add the table with at least a bucket`,
      edit ? [{ title: `Add [local.${n}.s3]`, edits: [edit], preferred: true }] : undefined,
    );
  }
  if (s3 && !isS3) {
    const fixes: ConfigFix[] = [];
    if (storage)
      fixes.push({ title: 'Set storage = "s3"', edits: [replaceEdit(storage.range, '"s3"')], preferred: true });
    else {
      const e = insertKeyEdit(c.text, node, 'storage', '"s3"');
      if (e) fixes.push({ title: 'Add storage = "s3"', edits: [e], preferred: true });
    }
    err(
      s3.keyRange ?? s3.range,
      's3-unused',
      `local instance '${n}' has s3 config but storage is not set to "s3" in ${c.file}`,
      fixes,
    );
  }
  if (s3?.kind !== 'table') return;
  for (const k of ['bucket', 'prefix', 'region']) {
    const v = child(s3, k);
    if (v?.kind === 'string' && String(v.value).trim() === '')
      err(v.range, 's3-blank', `local instance '${n}' must have a non-empty S3 ${k} in ${c.file}`);
  }
  const url = child(s3, 'endpoint_url');
  if (url?.kind === 'string' && !/^https?:\/\//.test(String(url.value))) {
    err(
      url.range,
      's3-endpoint',
      `local instance '${n}' has an invalid S3 endpoint URL in ${c.file}: S3 endpoint URL must start with http:// or https://`,
    );
  }
}

function portRules(all: { table: string; name: string; node: ConfigNode }[], c: RuleContext, err: Err): void {
  const used = new Map<number, string>();
  const locals = all.filter((i) => i.table === 'local' && i.node.kind === 'table');
  const ports = locals.map(({ node }) => {
    const p = child(node, 'port');
    return p?.kind === 'integer' ? Number(p.value) : p ? undefined : 6969;
  });
  const free = new PortAllocator(ports.filter((p): p is number => p !== undefined));
  locals.forEach(({ name, node }, i) => {
    const port = ports[i];
    if (port === undefined) return;
    const p = child(node, 'port');
    if (port === 0 && p)
      err(
        p.range,
        'port',
        `port 0 is not a usable TCP port for local instance '${name}': choose 1-65535 (default 6969)`,
        undefined,
        'warning',
      );
    const other = used.get(port);
    if (other !== undefined) {
      const next = free.allocate(port + 1);
      const edit =
        next === undefined
          ? undefined
          : p
            ? replaceEdit(p.range, String(next))
            : insertKeyEdit(c.text, node, 'port', String(next));
      const fix = edit ? [{ title: `Change port of '${name}' to ${next}`, edits: [edit], preferred: true }] : undefined;
      const at = p?.range ?? node.range;
      err(
        at,
        'port-clash',
        `local instances '${other}' and '${name}' both use port ${port}${p ? '' : ' (the default)'}: they cannot run at the same time; give '${name}' another port`,
        fix,
        'warning',
      );
    } else used.set(port, name);
  });
}
