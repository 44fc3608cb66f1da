import type { Generation } from '../../model/types';
import type { Schema } from '../schema';
import { schemaFor } from '../schema';
import type { ConfigKind, OffsetRange } from '../types';
import { tomlLiteral } from '../edit';
import { generationLabel } from '../generation';
import { pathAt } from './context';
import { isInstanceMap, schemaAt } from './schema-walk';

// Hover: the key's documentation, type, default and (on a value) the meaning of that enum value.

export interface HoverSpec {
  markdown: string;
  range: OffsetRange;
}

/** Markdown documentation of a schema node (shared by hover and completion). */
export function docOf(s: Schema, name?: string): string {
  const parts: string[] = [];
  if (s.description) parts.push(s.description);
  const facts: string[] = [];
  if (s.type)
    facts.push(`Type: \`${Array.isArray(s.type) ? s.type.join(' | ') : s.type === 'object' ? 'table' : s.type}\``);
  if (s.default !== undefined && !(typeof s.default === 'object' && Object.keys(s.default as object).length === 0))
    facts.push(`Default: \`${tomlLiteral(s.default)}\``);
  if (s.minimum !== undefined || s.maximum !== undefined) facts.push(`Range: ${s.minimum ?? ''}-${s.maximum ?? ''}`);
  if (facts.length) parts.push(facts.join(' · '));
  if (s.enum)
    parts.push(
      (s.enum as unknown[])
        .map((v, i) => `- \`${tomlLiteral(v)}\`${s.enumDescriptions?.[i] ? `: ${s.enumDescriptions[i]}` : ''}`)
        .join('\n'),
    );
  if (s.examples?.length && !s.enum && s.type !== 'object')
    parts.push(`Example: \`${name ?? 'key'} = ${tomlLiteral(s.examples[0])}\``);
  return parts.join('\n\n');
}

export function hover(
  text: string,
  offset: number,
  o: { kind: ConfigKind; generation: Generation; note?: string },
): HoverSpec | undefined {
  const at = pathAt(text, offset);
  if (!at || at.path.length === 0) return undefined;
  const root = schemaFor(o.kind === 'deploy' ? 'deploy' : o.generation);
  const s = schemaAt(root, at.path);
  if (!s) return undefined;
  const name = at.path[at.path.length - 1];
  const parent = schemaAt(root, at.path.slice(0, -1));
  const title = isInstanceMap(parent)
    ? `**${name}** — ${parent?.properties ? '' : `instance of \`[${at.path.slice(0, -1).join('.')}]\``}`
    : `**${at.path.join('.')}**`;
  let md = `${title}\n\n${docOf(s, name)}`;
  if (at.onValue && s.enum) {
    const raw = text.slice(at.range.start, at.range.end).replace(/^["']|["']$/g, '');
    const i = (s.enum as unknown[]).indexOf(raw);
    if (i >= 0 && s.enumDescriptions?.[i]) md = `\`${tomlLiteral(raw)}\`: ${s.enumDescriptions[i]}\n\n---\n\n${md}`;
  }
  const gen = o.kind === 'deploy' ? 'helix.deploy.toml' : `helix ${generationLabel(o.generation)}`;
  return {
    markdown: `${md}\n\n_Schema: ${gen}_${o.note && o.kind !== 'deploy' ? `\n\n_Note: ${o.note}_` : ''}`,
    range: at.range,
  };
}
