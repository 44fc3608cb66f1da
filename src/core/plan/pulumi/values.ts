import { at } from '../../json';
import { diffAttributes, type Path } from '../diff';
import type { AttributeDiff, ChangeAction } from '../model';

// Pulumi's JSON shows secrets as "[secret]" (preview digest) or as a sig-wrapped object (engine events),
// and unknowns as a fixed sentinel string. Translate both into the Terraform-style masks diffAttributes uses.

export const PULUMI_UNKNOWN = '04da6b54-80e4-46f7-96ec-b56ff0331ba9';
const SIG_KEY = '4dabf18193072939515e22adb298388d';
const SECRET_SIG = '1b47061264138c4ac30d75fd1eb44270';

interface Normalized {
  value: unknown;
  unknown: unknown;
  sensitive: unknown;
}

export function normalize(v: unknown): Normalized {
  if (v === PULUMI_UNKNOWN) return { value: undefined, unknown: true, sensitive: undefined };
  if (v === '[secret]') return { value: '[secret]', unknown: undefined, sensitive: true };
  if (Array.isArray(v)) {
    const parts = v.map(normalize);
    return {
      value: parts.map((p) => p.value),
      unknown: parts.map((p) => p.unknown ?? false),
      sensitive: parts.map((p) => p.sensitive ?? false),
    };
  }
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (o[SIG_KEY] === SECRET_SIG) return { value: '[secret]', unknown: undefined, sensitive: true };
    if (o[SIG_KEY] !== undefined) return { value: '(special value)', unknown: undefined, sensitive: undefined };
    const value: Record<string, unknown> = {};
    const unknown: Record<string, unknown> = {};
    const sensitive: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(o)) {
      const n = normalize(x);
      if (n.value !== undefined) value[k] = n.value;
      if (n.unknown !== undefined) unknown[k] = n.unknown;
      if (n.sensitive !== undefined) sensitive[k] = n.sensitive;
    }
    return { value, unknown, sensitive };
  }
  return { value: v, unknown: undefined, sensitive: undefined };
}

export function pulumiAttributes(
  before: unknown,
  after: unknown,
  replacePaths: Path[] | undefined,
  isSecret: (v: unknown) => boolean,
): AttributeDiff[] {
  const b = normalize(before ?? undefined);
  const a = normalize(after ?? undefined);
  return diffAttributes({
    before: b.value,
    after: a.value,
    afterUnknown: a.unknown,
    beforeSensitive: b.sensitive,
    afterSensitive: a.sensitive,
    replacePaths,
    isSecret,
  });
}

/** Pulumi PropertyPath (`tags.Owner`, `ingress[0].fromPort`, `["key.with.dots"]`) -> path steps. */
export function parsePropertyPath(p: string): Path {
  const out: Path = [];
  const re = /\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]|([^.[\]]+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(p))) {
    if (m[1] !== undefined) out.push(Number(m[1]));
    else if (m[2] !== undefined) out.push(m[2].replace(/\\(.)/g, '$1'));
    else if (m[3] !== undefined) out.push(m[3]);
  }
  return out;
}

/** `urn:pulumi:stack::project::parent$type::name` -> parts. */
export function parseUrn(urn: string): { type: string; name: string; parent?: string } {
  const parts = urn.split('::');
  const name = parts.length >= 4 ? parts.slice(3).join('::') : (parts[parts.length - 1] ?? urn);
  const typeChain = parts[2] ?? '';
  const types = typeChain.split('$');
  return {
    type: types[types.length - 1] ?? '',
    name,
    parent: types.length > 1 ? types.slice(0, -1).join('$') : undefined,
  };
}

/** Pulumi step op -> our action; undefined for steps that are bookkeeping (shown through their logical step). */
export function mapOp(op: string): ChangeAction | undefined {
  switch (op) {
    case 'same':
      return 'no-op';
    case 'create':
      return 'create';
    case 'update':
      return 'update';
    case 'delete':
    case 'remove-pending-replace':
      return 'delete';
    case 'replace':
    case 'create-replacement':
    case 'delete-replaced':
      return 'replace';
    case 'read':
    case 'read-replacement':
    case 'refresh':
      return 'read';
    case 'import':
    case 'import-replacement':
      return 'import';
    case 'discard':
    case 'discard-replaced':
      return 'forget';
    default:
      return undefined;
  }
}

/** Replace-forcing paths of a step: replaceReasons plus detailedDiff entries whose kind ends in "-replace". */
export function replacePathsOf(
  replaceReasons: unknown,
  detailedDiff: unknown,
  kindKey: 'kind' | 'diffKind',
): Path[] | undefined {
  const paths: Path[] = [];
  if (Array.isArray(replaceReasons)) for (const r of replaceReasons) paths.push(parsePropertyPath(String(r)));
  if (detailedDiff && typeof detailedDiff === 'object') {
    for (const [k, d] of Object.entries(detailedDiff as Record<string, unknown>)) {
      const kind = at(d, kindKey);
      if (typeof kind === 'string' && kind.endsWith('-replace')) paths.push(parsePropertyPath(k));
    }
  }
  return paths.length ? paths : undefined;
}

export const PULUMI_REPLAN_NOTICE =
  'Pulumi computes a fresh preview when it applies (`pulumi up`): what is applied can differ from this preview if the program, config or cloud changed meanwhile.';
export const PULUMI_SAVED_PLAN_NOTICE =
  "Applied with Pulumi's experimental saved plan (`preview --save-plan` + `up --plan`): Pulumi refuses operations beyond this preview.";
