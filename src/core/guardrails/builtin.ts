import {
  attributesOf,
  KNOWN_AFTER_APPLY,
  SENSITIVE,
  type AttributeDiff,
  type PlanModel,
  type ResourceChange,
} from '../plan/model';
import { matchesGlob } from './glob';
import { isStateful } from './stateful';
import type { GuardrailContext, GuardrailFinding } from './types';

// Helix Deploy's own checks: data that a plan destroys, images that are not pinned by digest, and
// resources opened to the whole internet. They read the redacted plan model only.

const CHANGING = new Set(['create', 'update', 'replace']);
const OPEN_CIDRS = new Set(['0.0.0.0/0', '::/0']);
const PUBLIC_ACLS = new Set(['public-read', 'public-read-write']);
const PUBLIC_MEMBERS = new Set(['allUsers', 'allAuthenticatedUsers']);

export function builtinFindings(
  model: PlanModel,
  ctx: Pick<GuardrailContext, 'environment' | 'protected' | 'allowDestroy'>,
): GuardrailFinding[] {
  const out: GuardrailFinding[] = [];
  for (const r of model.resources) {
    if (r.mode === 'data') continue;
    const destroy = statefulDestroy(model, r, ctx);
    if (destroy) out.push(destroy);
    if (!CHANGING.has(r.action)) continue;
    const attrs = attributesOf(r);
    for (const image of unpinnedImages(attrs)) {
      out.push({
        rule: 'unpinned-image',
        severity: 'warn',
        source: 'built-in',
        address: r.address,
        message: `image ${image} is not pinned by digest (@sha256:...): what runs can change without a new plan`,
      });
    }
    const exposure = publicExposure(r, attrs);
    if (exposure) {
      out.push({
        rule: 'public-exposure',
        severity: ctx.protected ? 'deny' : 'warn',
        source: 'built-in',
        address: r.address,
        message: `${exposure}${ctx.protected ? ` in protected environment ${ctx.environment}` : ''}`,
      });
    }
  }
  return out;
}

function statefulDestroy(
  model: PlanModel,
  r: ResourceChange,
  ctx: Pick<GuardrailContext, 'environment' | 'protected' | 'allowDestroy'>,
): GuardrailFinding | undefined {
  if ((r.action !== 'delete' && r.action !== 'replace') || !isStateful(model.source, r.type)) return undefined;
  const what = `${r.action === 'delete' ? 'destroys' : 'replaces (destroys, then recreates)'} ${r.type} ${r.address}: its data is lost`;
  const base = { rule: 'stateful-destroy', source: 'built-in' as const, address: r.address };
  if (!ctx.protected) return { ...base, severity: 'confirm', message: `${what}; type the environment name to confirm` };
  if (ctx.allowDestroy.some((g) => matchesGlob(g, r.address))) {
    return {
      ...base,
      severity: 'warn',
      message: `${what}; allowed by allow_destroy of environment ${ctx.environment}`,
    };
  }
  return {
    ...base,
    severity: 'deny',
    message:
      `${what}; blocked: ${ctx.environment} is protected. To allow it, add "${r.address}" to allow_destroy ` +
      `of [environments.${ctx.environment}] in helix.deploy.toml`,
  };
}

/** Image references set by this plan (an `image` attribute, or `image` inside a JSON document such as ECS container definitions). */
function unpinnedImages(attrs: AttributeDiff[]): string[] {
  const found = new Set<string>();
  const visit = (key: string | number | undefined, v: unknown, depth: number): void => {
    if (depth > 32) return;
    if (typeof v === 'string') {
      if (typeof key === 'string' && /^image$/i.test(key)) {
        if (v && v !== KNOWN_AFTER_APPLY && v !== SENSITIVE && !v.includes('${') && !/@sha256:[0-9a-f]{64}$/.test(v))
          found.add(v);
      } else if (/^\s*[[{]/.test(v) && v.includes('"image"')) {
        try {
          visit(undefined, JSON.parse(v), depth + 1);
        } catch {
          // not JSON after all
        }
      }
    } else if (Array.isArray(v)) v.forEach((x) => visit(key, x, depth + 1));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) visit(k, x, depth + 1);
  };
  for (const a of attrs) visit(a.path[a.path.length - 1], a.after, 0);
  return [...found];
}

/** Why this resource is reachable by anyone, or undefined. */
function publicExposure(r: ResourceChange, attrs: AttributeDiff[]): string | undefined {
  const isIngressRule =
    attrs.some((a) => a.path.length === 1 && a.path[0] === 'type' && a.after === 'ingress') ||
    /ingress|firewall/i.test(r.type);
  for (const a of attrs) {
    const keys = a.path.filter((p): p is string => typeof p === 'string');
    const last = keys[keys.length - 1] ?? '';
    const values = flat(a.after);
    const ingress = isIngressRule || keys.some((k) => /^ingress$/i.test(k));
    if (
      ingress &&
      /cidr|source_?ranges/i.test(last) &&
      values.some((v) => typeof v === 'string' && OPEN_CIDRS.has(v))
    ) {
      return `opens ingress from ${values.find((v) => typeof v === 'string' && OPEN_CIDRS.has(v))} (the whole internet)`;
    }
    if (/^acl$/i.test(last) && values.some((v) => typeof v === 'string' && PUBLIC_ACLS.has(v)))
      return `makes the bucket public (acl ${values.find((v) => PUBLIC_ACLS.has(String(v)))})`;
    if (/^members?$/i.test(last) && values.some((v) => typeof v === 'string' && PUBLIC_MEMBERS.has(v)))
      return `grants access to ${values.find((v) => PUBLIC_MEMBERS.has(String(v)))}`;
    if (
      /^(block_?public_?(acls|policy)|restrict_?public_?buckets|ignore_?public_?acls)$/i.test(last) &&
      a.after === false
    )
      return `turns off ${last}: the bucket may become public`;
  }
  return undefined;
}

function flat(v: unknown): unknown[] {
  if (Array.isArray(v)) return v.flatMap(flat);
  if (v && typeof v === 'object') return Object.values(v).flatMap(flat);
  return [v];
}
