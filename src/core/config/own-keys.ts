import type { Table, TopLevelItem } from './ast';
import { eolOf, lineEndAt, lineStartAt, tomlKey } from './edit';
import { OWN_KEYS } from '../local/naming';
import { buildTree, child, keyName, type ConfigNode } from './tree';
import type { ConfigDiagnostic, TextEditSpec } from './types';
import { parseToml } from './parse';

// Helix Deploy's own settings of a local instance (build, health, sidecar_image) belong in helix.deploy.toml's
// [instances.<name>]. The helix CLI reads past them in helix.toml, but every rewrite of the file (`helix add`,
// `delete`, `start --persist`, `project link`) serialises its own structs, which have no catch-all field: the
// keys, and every comment of the file, are deleted without a word. So: a warning, and a fix that moves them.

export const OWN_KEY_CODE = 'deploy-key-in-helix';

/** Warnings for our keys found in helix.toml's [local.<n>] tables. */
export function ownKeyRules(root: ConfigNode, file: string): ConfigDiagnostic[] {
  const out: ConfigDiagnostic[] = [];
  const local = child(root, 'local');
  if (local?.kind !== 'table') return out;
  for (const [instance, node] of local.entries!) {
    if (node.kind !== 'table') continue;
    for (const key of OWN_KEYS) {
      const n = node.entries!.get(key);
      if (!n) continue;
      const at = n.keyRange ?? n.range;
      out.push({
        ...at,
        severity: 'warning',
        code: OWN_KEY_CODE,
        message:
          `\`${key}\` is a Helix Deploy setting, not the helix CLI's: the CLI deletes it, and every comment in ${file}, ` +
          `the next time it rewrites the file (\`helix add\`, \`helix delete\`, \`helix start --persist\`, \`helix project link\`). ` +
          `Move it to [instances.${tomlKey(instance)}] in helix.deploy.toml.`,
        fixes: [{ title: 'Move to helix.deploy.toml', edits: [], move: { instance, key }, preferred: true }],
      });
    }
  }
  return out;
}

export interface MoveEdits {
  /** Edits of helix.toml (deletions). */
  helix: TextEditSpec[];
  /** Edits of helix.deploy.toml (insertions; one insertion at 0 when the file is new). */
  deploy: TextEditSpec[];
  /** helix.deploy.toml does not exist yet and is created with `deploy`. */
  create: boolean;
}

interface Span {
  start: number;
  end: number;
  /** The moved text, without the final line break. */
  text: string;
}

/**
 * Moves `[local.<instance>] <key>` (a `key = ...` line, dotted `key.x = ...` lines, or `[local.<instance>.<key>...]`
 * sections) with the comment lines right above each, into `[instances.<instance>]` of helix.deploy.toml. Both
 * files keep everything else byte for byte. Undefined when the move cannot be done safely: a file that does not
 * parse, the key defined in a way with no single place (dotted from an outer table, inline tables), or
 * helix.deploy.toml already setting it.
 */
export function moveOwnKeyEdits(
  helixText: string,
  deployText: string | undefined,
  instance: string,
  key: string,
): MoveEdits | undefined {
  const helixItems = itemsOf(helixText);
  if (!helixItems) return undefined;
  const kvs: Span[] = [];
  const sections: Span[] = [];
  let elsewhere = false;
  for (const item of helixItems) {
    if (item.type === 'TOMLKeyValue') {
      elsewhere ||= startsWith(item.key.keys.map(keyName), ['local', instance, key]);
      continue;
    }
    const rk = item.resolvedKey;
    if (startsWith(rk, ['local', instance, key])) {
      if (item.kind !== 'standard') return undefined;
      sections.push(sectionSpan(helixText, item));
    } else if (sameKey(rk, ['local', instance])) {
      for (const kv of item.body)
        if (keyName(kv.key.keys[0]) === key) kvs.push(lineSpan(helixText, kv.range[0], kv.range[1]));
    } else if (sameKey(rk, ['local'])) {
      for (const kv of item.body)
        elsewhere ||=
          startsWith(kv.key.keys.map(keyName), [instance, key]) ||
          (keyName(kv.key.keys[0]) === instance && kv.key.keys.length === 1);
    }
  }
  if (elsewhere || (!kvs.length && !sections.length)) return undefined;

  const dText = deployText ?? '';
  const dItems = deployText === undefined || deployText.trim() === '' ? [] : itemsOf(deployText);
  if (!dItems) return undefined;
  const tree = buildTree(dItems);
  const target = child(tree, 'instances', instance);
  if (target && (target.inline || target.kv || target.entries?.has(key))) return undefined;
  const dInstances = child(tree, 'instances');
  if (dInstances && (dInstances.inline || dInstances.kv)) return undefined;

  const eol = deployText === undefined || deployText === '' ? eolOf(helixText) : eolOf(dText);
  const lines = (s: Span) => s.text.split(/\r\n|\n|\r/).join(eol);
  const deploy: TextEditSpec[] = [];
  let tail = '';
  if (kvs.length) {
    const header = dItems.find(
      (i): i is Table =>
        i.type === 'TOMLTable' && i.kind === 'standard' && sameKey(i.resolvedKey, ['instances', instance]),
    );
    const body = kvs.map((s) => eol + lines(s)).join('');
    if (header) {
      const anchor = header.body.length ? header.body[header.body.length - 1].range[1] : header.key.range[1];
      const at = lineEndAt(dText, anchor);
      deploy.push({ start: at, end: at, newText: body });
    } else {
      tail += `[instances.${tomlKey(instance)}]${body}`;
    }
  }
  for (const s of sections)
    tail +=
      (tail ? eol + eol : '') +
      lines(s).replace(
        /^((?:[ \t]*#[^\r\n]*(?:\r\n|\n|\r))*)([ \t]*)\[[^\]]*\]/,
        (_m, comments: string, indent: string) => `${comments}${indent}[${sectionHeader(helixText, instance, s)}]`,
      );
  if (tail) {
    const created = deployText === undefined;
    const sep = dText === '' ? '' : dText.endsWith('\n') || dText.endsWith('\r') ? eol : eol + eol;
    const intro = created ? `# Helix Deploy settings; the helix CLI does not read this file.${eol}${eol}` : '';
    deploy.push({ start: dText.length, end: dText.length, newText: `${intro}${sep}${tail}${eol}` });
  }

  const helix = [...kvs, ...sections].sort((a, b) => a.start - b.start).map((s) => deletion(helixText, s));
  return { helix, deploy: mergeAt(deploy), create: deployText === undefined };
}

function itemsOf(text: string): TopLevelItem[] | undefined {
  const p = parseToml(text);
  return p.error || !p.ast ? undefined : (p.ast.body[0].body as TopLevelItem[]);
}

function sameKey(a: readonly (string | number)[], b: readonly string[]): boolean {
  return a.length === b.length && b.every((k, i) => a[i] === k);
}

function startsWith(a: readonly (string | number)[], b: readonly string[]): boolean {
  return a.length >= b.length && b.every((k, i) => a[i] === k);
}

/** Start of the comment lines directly above `offset`'s line (no blank line between). */
function commentBlockStart(text: string, offset: number): number {
  let start = lineStartAt(text, offset);
  while (start > 0) {
    const prev = lineStartAt(text, start - (text[start - 1] === '\n' && text[start - 2] === '\r' ? 2 : 1));
    if (!/^[ \t]*#/.test(text.slice(prev, start))) break;
    start = prev;
  }
  return start;
}

function lineSpan(text: string, from: number, to: number): Span {
  const start = commentBlockStart(text, from);
  const end = lineEndAt(text, to);
  return { start, end, text: text.slice(start, end) };
}

function sectionSpan(text: string, t: Table): Span {
  return lineSpan(text, t.range[0], t.body.length ? t.body[t.body.length - 1].range[1] : t.key.range[1]);
}

/** `instances.<instance>.<rest of the header as written>` for a moved `[local.<instance>.<key>...]` section. */
function sectionHeader(helixText: string, instance: string, s: Span): string {
  const header = /\[([^\]]*)\]/.exec(s.text.replace(/^(?:[ \t]*#[^\r\n]*(?:\r\n|\n|\r))*/, ''))![1];
  const items = itemsOf(`[${header}]`) as Table[];
  const keys = items[0].key.keys.slice(2);
  const src = `[${header}]`;
  return ['instances', tomlKey(instance), ...keys.map((k) => src.slice(k.range[0], k.range[1]))].join('.');
}

/** Removes a span with its line break; when blank lines were on both sides, one of them goes too. */
function deletion(text: string, s: Span): TextEditSpec {
  let end = s.end;
  if (text.startsWith('\r\n', end)) end += 2;
  else if (text[end] === '\n' || text[end] === '\r') end += 1;
  let start = s.start;
  if (start > 0) {
    const prevEnd = start - (text[start - 1] === '\n' && text[start - 2] === '\r' ? 2 : 1);
    const prevStart = lineStartAt(text, prevEnd);
    const blankBefore = text.slice(prevStart, prevEnd).trim() === '';
    const blankAfter = end >= text.length || text.slice(end, lineEndAt(text, end)).trim() === '';
    if (blankBefore && blankAfter) start = prevStart;
  }
  return { start, end, newText: '' };
}

/** Two insertions at the same offset become one, in order (the editor applies each edit once). */
function mergeAt(edits: TextEditSpec[]): TextEditSpec[] {
  const out: TextEditSpec[] = [];
  for (const e of edits) {
    const same = out.find((o) => o.start === e.start && o.end === e.end);
    if (same) same.newText += e.newText;
    else out.push({ ...e });
  }
  return out;
}
