import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseTOML } from 'toml-eslint-parser';
import { fastParse, fastPath } from '../../../src/core/config/fast-parse';
import { buildTree, type ConfigNode } from '../../../src/core/config/tree';
import { validateConfig, type ValidateOptions } from '../../../src/core/config/validate';
import { bigHelixToml } from '../../support/big-helix-toml';
import { sharedData } from '../../support/shared';
import { FIXTURES } from './helpers';

// The fast path (fast-parse.ts) must be invisible: whenever it accepts a file, toml-eslint-parser accepts it too
// and both give the same tree - values, kinds, every range, and the AST fields edits are built from - and
// validateConfig gives the same diagnostics, messages, ranges and fixes. Whenever toml-eslint-parser rejects a
// file, the fast path must decline. Checked on the whole toml-test corpus, the fixtures, the benchmark's big
// file and seeded mutations of all of them.

type Outcome = { accepted: false } | { accepted: true; view: unknown };

/** Everything tree.ts and edit.ts can read from a node (ast.ts's fields), as plain data. */
function light(n: any): any {
  if (n === undefined) return undefined;
  switch (n.type) {
    case 'TOMLKeyValue':
      return { type: n.type, range: n.range, key: lightKey(n.key), value: light(n.value), parent: n.parent.type };
    case 'TOMLTable':
      return { type: n.type, kind: n.kind, range: n.range, key: lightKey(n.key), resolvedKey: n.resolvedKey, body: n.body.map(light) };
    case 'TOMLArray':
      return { type: n.type, range: n.range, elements: n.elements.map(light) };
    case 'TOMLInlineTable':
      return { type: n.type, range: n.range, body: n.body.map(light) };
    default:
      return { type: n.type, kind: n.kind, range: n.range, value: n.datetime ?? n.value, bigint: n.bigint };
  }
}

function lightKey(k: any) {
  return { range: k.range, keys: k.keys.map((p: any) => ({ type: p.type, range: p.range, name: p.type === 'TOMLBare' ? p.name : p.value })) };
}

function treeView(n: ConfigNode): unknown {
  return {
    kind: n.kind, path: n.path, value: n.value, bigint: n.bigint, range: n.range, keyRange: n.keyRange,
    entries: n.entries && [...n.entries].map(([k, v]) => [k, treeView(v)]),
    items: n.items?.map(treeView),
    kv: light(n.kv), table: light(n.table), inline: light(n.inline),
  };
}

function viaEslint(text: string): Outcome {
  // Same preconditions as parse.ts: a bare CR is rejected before toml-eslint-parser runs.
  if (/\r(?!\n)/.test(text)) return { accepted: false };
  try {
    const items = parseTOML(text, { tomlVersion: '1.0' }).body[0].body;
    return { accepted: true, view: { items: items.map(light), tree: treeView(buildTree(items)) } };
  } catch {
    return { accepted: false };
  }
}

function viaFast(text: string): Outcome {
  const items = fastParse(text);
  return items ? { accepted: true, view: { items: items.map(light), tree: treeView(buildTree(items)) } } : { accepted: false };
}

function diagnostics(text: string, o: ValidateOptions, fast: boolean) {
  fastPath.enabled = fast;
  try {
    const r = validateConfig(text, o);
    return { applies: r.applies, generation: r.generation, diagnostics: r.diagnostics };
  } finally {
    fastPath.enabled = true;
  }
}

/** Returns whether the fast path accepted; throws with the file's label when the paths disagree. */
function same(text: string, label: string): boolean {
  const fast = viaFast(text);
  if (!fast.accepted) return false;
  const slow = viaEslint(text);
  assert.ok(slow.accepted, `${label}: fast path accepted a file toml-eslint-parser rejects`);
  assert.deepStrictEqual(fast.view, slow.view, `${label}: trees differ`);
  for (const o of [{ kind: 'helix' }, { kind: 'deploy', helixText: text }, { kind: 'helix', generation: 'v2' }] as ValidateOptions[]) {
    assert.deepStrictEqual(diagnostics(text, o, true), diagnostics(text, o, false), `${label}: diagnostics differ (${JSON.stringify(o.kind)})`);
  }
  return true;
}

function readUtf8(file: string): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(fs.readFileSync(file));
  } catch {
    return undefined;
  }
}

function rng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
}

const CORPUS = process.env.TOML_TEST_DIR ?? sharedData('toml-test');
const corpus = fs.readFileSync(path.join(CORPUS, 'files-toml-1.0.0'), 'utf8').split('\n').map((l) => l.trim()).filter((f) => f.endsWith('.toml'));
const fixtures = fs.readdirSync(FIXTURES).flatMap((d) => fs.readdirSync(path.join(FIXTURES, d)).map((f) => path.join(d, f)));
const ALPHABET = ['[', ']', '[[', ']]', '=', '"', "'", '"""', '\n', '\r\n', '\r', '.', ',', '{', '}', '#', '\\', '\\n', '\\u0041', '\\x', '0', '-0', '+1', '1_000', '0x1', '1e9', '1.5', 'inf', 'nan', 'true', 'false', '1979-05-27', '07:32:00', 'a', 'a.b', '"k"', "'k'", ' ', '\t', '\u0000', '\u007f', '\uFEFF', '\uD800', '\uD83D\uDE00', 'é'];

// Table and key (re)definitions the fast path must get exactly right (TOML 1.0 §Keys, §Table, §Array of Tables),
// and lexical corners of its subset. Valid or not, each must agree with toml-eslint-parser or be declined.
const CASES = [
  '[a]\n[a]', '[a.b]\n[a]', '[a.b]\n[a]\n[a.b]', '[a.b.c]\n[a]\n[a.b]\nx=1', '[a]\nb.c=1\n[a.b]', '[a]\nb.c=1\n[a.b.d]', 'a.b=1\n[a]',
  'a.b=1\n[a.c]', '[[a]]\n[a.b]\n[[a]]\n[a.b]\nx=1', '[[a]]\nb=1\n[a]', '[a]\n[[a]]', 'a=[]\n[[a]]', 'a={}\n[a.b]', 'a={b=1}\na.c=2',
  'x={a.b=1, a.c=2}', 'x={a.b=1, a={}}', 'x={a=1, a=2}', 'x={a.b=1, a.b.c=2}', '[a.b.c]\n[a]\nb.d=1', '"a"=1\na=2', `'a'=1\n"a"=2`,
  'a.b=1\na.b.c=2', 'a.b=1\na.c=2\na . d = 3', '""=1', '[""]\n""=2', `['']\n[''."".x]`, 'a = 1 b = 2', '[a]b=1', '[ a ]', '[[ a ]]',
  '[ [a] ]', '[[a] ]', '[ [a]]', 'a = "\\u00e9"', '1.2 = 3', '1.2.3.4 = 3', 'a = 0_1', 'a = 1_', 'a = _1', 'a = 1__2', 'a = +0', 'a = -0', 'a = +1_000',
  'a = -9223372036854775808', 'a = 999999999999999', 'a = 9999999999999999', 'a = 00', 'a = 1\t# c\t', 'a = true#c', 'a = truex', 'a = falsey',
  'a = [1,2,]', 'a = [ ]', 'a=[\n#c\n1\n,\n]', 'a=[\r\n1,#c\r\n2]', 'a = [1 2]', 'a = [,]', 'a = [1,,2]', 'a = {b=1,}', 'a = {\nb=1}',
  'a = {b=1\n}', 'a = {}', 'a = { }', 'a={b={c={}}}', 'a = [{b=1},{b=2}]', '# c\r', 'a = 1\r', 'a = "x\ty"', 'a = "\\x"', `a = 'x\\y'`,
  'a = "\\""', 'a = """x"""', `a = '''x'''`, 'a = ""', `a = ''`, 'a = "" ', 'a = "\u0001"', 'a = "\ud83d\ude00"', 'a = "\ud83d"',
  '# \ud83d\ude00', '# \udc00', '\ufeffa = 1', 'a = 1979-05-27', 'a = 07:32:00', 'a = 1.5', 'a = 1e5', 'a = inf', 'a = 0x10', '[a]\n\n  b = 1  \n',
  'a =', 'a = \n1', '= 1', 'a b = 1', '[a', '[a]]', '[[a]', 'a.=1', '.a=1', 'a..b=1', '[a.]', '[.a]', '\t[a]\t\n\tb\t=\t1', 'a = "\\t\\n\\b\\f\\r\\\\"',
];

describe('config: fast path equals toml-eslint-parser', function () {
  this.timeout(120000);

  it('toml-test corpus: valid files agree, invalid files are declined', () => {
    let accepted = 0;
    for (const f of corpus) {
      const text = readUtf8(path.join(CORPUS, f));
      if (text === undefined) continue;
      if (same(text, f)) {
        accepted++;
        assert.ok(f.startsWith('valid/'), `${f}: fast path accepted an invalid file`);
      }
    }
    // The fast path must stay exercised by the corpus (about a third of the valid files are in its subset).
    if (process.env.FAST_STATS) console.log("corpus accepted", accepted);
    assert.ok(accepted >= 50, `only ${accepted} corpus files took the fast path`);
  });

  it('every fixture agrees, and the valid ones take the fast path', () => {
    for (const f of fixtures) {
      const ok = same(fs.readFileSync(path.join(FIXTURES, f), 'utf8'), f);
      if (!f.startsWith('broken')) assert.ok(ok, `${f} did not take the fast path`);
    }
  });

  it('hand-picked redefinitions and lexical corners agree or are declined', () => {
    let accepted = 0;
    for (const c of CASES) for (const t of [c, c + '\n', c + '\r\n']) if (same(t, JSON.stringify(t))) accepted++;
    if (process.env.FAST_STATS) console.log('cases accepted', accepted, 'of', CASES.length * 3);
  });

  it('the toml-eslint-parser AST stays available on demand after the fast path', () => {
    const text = fs.readFileSync(path.join(FIXTURES, 'typical/helix.toml'), 'utf8');
    const r = validateConfig(text);
    assert.equal(r.ast?.type, 'Program');
    assert.deepStrictEqual(r.ast, parseTOML(text, { tomlVersion: '1.0' }));
  });

  it("the benchmark's 5,000-line file takes the fast path", () => {
    assert.ok(same(bigHelixToml(), 'bench file'));
  });

  it('seeded mutations of the fixtures and corpus agree or are declined', () => {
    const seeds = [
      ...CASES,
      ...fixtures.map((f) => fs.readFileSync(path.join(FIXTURES, f), 'utf8')),
      ...corpus.filter((f) => f.startsWith('valid/')).map((f) => readUtf8(path.join(CORPUS, f))).filter((t): t is string => t !== undefined && viaFast(t).accepted),
    ];
    // FAST_MUTATIONS / FAST_SEED: longer or different runs by hand.
    const r = rng(Number(process.env.FAST_SEED ?? 11));
    let accepted = 0;
    for (let i = 0; i < Number(process.env.FAST_MUTATIONS ?? 6000); i++) {
      let s = seeds[i % seeds.length];
      for (let k = 0; k < 1 + Math.floor(r() * 3); k++) {
        const at = Math.floor(r() * (s.length + 1));
        const op = r();
        if (op < 0.5) s = s.slice(0, at) + ALPHABET[Math.floor(r() * ALPHABET.length)] + s.slice(at);
        else if (op < 0.8) s = s.slice(0, at) + s.slice(at + 1 + Math.floor(r() * 4));
        else s = s.slice(0, at) + s.slice(Math.floor(r() * s.length), Math.floor(r() * s.length)) + s.slice(at);
      }
      if (same(s, `mutation#${i}: ${JSON.stringify(s)}`)) accepted++;
    }
    if (process.env.FAST_STATS) console.log("mutations accepted", accepted);
    assert.ok(accepted > 1000, `only ${accepted} mutations took the fast path`);
  });
});
