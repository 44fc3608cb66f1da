import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as oniguruma from 'vscode-oniguruma';
import * as vsctm from 'vscode-textmate';
import { sharedData } from '../../support/shared';

// The TOML TextMate grammar contributed for helix.toml / helix.deploy.toml / *.toml (syntaxes/toml.tmLanguage.json),
// run through vscode-textmate + the Oniguruma wasm as VS Code does.
const ROOT = path.resolve(__dirname, '../../..');
const GRAMMAR = path.join(ROOT, 'syntaxes', 'toml.tmLanguage.json');
const CORPUS = process.env.TOML_TEST_DIR ?? sharedData('toml-test');

interface Token {
  line: number;
  text: string;
  scopes: string[];
}
interface Tokenized {
  tokens: Token[];
  end: vsctm.StateStack;
}

/** Scopes that only wrap other tokens: a non-blank character left with one of these innermost was not recognised. */
const CONTAINERS = new Set([
  'source.toml',
  'meta.key.toml',
  'meta.array.toml',
  'meta.inline-table.toml',
  'meta.table.toml',
  'meta.array.table.toml',
]);

let grammar: vsctm.IGrammar;

async function loadGrammar(): Promise<vsctm.IGrammar> {
  const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer);
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s: string) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scopeName) =>
      scopeName === 'source.toml' ? vsctm.parseRawGrammar(fs.readFileSync(GRAMMAR, 'utf8'), GRAMMAR) : null,
  });
  const g = await registry.loadGrammar('source.toml');
  assert.ok(g, 'source.toml grammar loads');
  return g;
}

/** Tokenizes a document line by line (as the editor does: lines without their CR/LF, no BOM), carrying the rule stack. */
function tokenize(text: string): Tokenized {
  const tokens: Token[] = [];
  let state = vsctm.INITIAL;
  text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .forEach((lineText, line) => {
      const r = grammar.tokenizeLine(lineText, state, 5000);
      assert.ok(!r.stoppedEarly, `line ${line + 1} took too long to tokenize: ${JSON.stringify(lineText)}`);
      for (const t of r.tokens) tokens.push({ line, text: lineText.slice(t.startIndex, t.endIndex), scopes: t.scopes });
      state = r.ruleStack;
    });
  return { tokens, end: state };
}

const dump = (tokens: Token[]) =>
  tokens.map((t) => `${t.line + 1} ${JSON.stringify(t.text)} ${t.scopes.slice(1).join(' ')}`).join('\n');

/** The scopes of the nth token whose text is exactly `text`. */
function scopesOf(tokens: Token[], text: string, nth = 0): string[] {
  const t = tokens.filter((x) => x.text === text)[nth];
  assert.ok(t, `no token ${JSON.stringify(text)} (#${nth}) in:\n${dump(tokens)}`);
  return t.scopes;
}

/** Asserts that the nth token `text` carries each scope in `expected` (exact scope names, any depth). */
function expectScopes(tokens: Token[], text: string, expected: string[], nth = 0): void {
  const scopes = scopesOf(tokens, text, nth);
  for (const s of expected)
    assert.ok(scopes.includes(s), `${JSON.stringify(text)} (#${nth}) should be ${s}, is ${scopes.join(' ')}`);
}

/** The tokens of a 1-based line. */
const onLine = (tokens: Token[], line: number) => tokens.filter((t) => t.line === line - 1);
const invalidTokens = (tokens: Token[]) => tokens.filter((t) => t.scopes.some((s) => s.startsWith('invalid.illegal')));
const unrecognised = (tokens: Token[]) =>
  tokens.filter((t) => /\S/.test(t.text) && CONTAINERS.has(t.scopes[t.scopes.length - 1]));

describe('language: TOML grammar (syntaxes/toml.tmLanguage.json)', function () {
  this.timeout(60000);
  before(async () => {
    grammar = await loadGrammar();
  });

  it('is contributed for the toml language and packaged', () => {
    const raw = JSON.parse(fs.readFileSync(GRAMMAR, 'utf8'));
    assert.equal(raw.scopeName, 'source.toml');
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    assert.deepEqual(pkg.contributes.grammars, [
      { language: 'toml', scopeName: 'source.toml', path: './syntaxes/toml.tmLanguage.json' },
    ]);
    assert.ok(
      pkg.contributes.languages.some((l: any) => l.id === 'toml'),
      'the toml language is contributed',
    );
    const ignore = fs
      .readFileSync(path.join(ROOT, '.vscodeignore'), 'utf8')
      .split(/\r?\n/)
      .map((l) => l.trim());
    assert.ok(
      ignore.includes('!syntaxes/**'),
      '.vscodeignore excludes everything but whitelisted folders: syntaxes/ must be whitelisted',
    );
  });

  it('table and array-of-tables headers', () => {
    const { tokens } = tokenize('[a.b."c.d"]  # tail\n[[ x . y ]]\n');
    expectScopes(tokens, '[', ['meta.table.toml', 'punctuation.definition.table.begin.toml']);
    expectScopes(tokens, 'a', ['meta.table.toml', 'entity.name.tag.table.toml']);
    expectScopes(tokens, '.', ['meta.table.toml', 'punctuation.separator.dot.toml']);
    expectScopes(tokens, 'c.d', ['meta.table.toml', 'entity.name.tag.table.toml']);
    expectScopes(tokens, ']', ['meta.table.toml', 'punctuation.definition.table.end.toml']);
    expectScopes(tokens, '#', ['comment.line.number-sign.toml', 'punctuation.definition.comment.toml']);
    expectScopes(tokens, '[[', ['meta.array.table.toml', 'punctuation.definition.table.array.begin.toml']);
    expectScopes(tokens, 'x', ['meta.array.table.toml', 'entity.name.tag.table.array.toml']);
    expectScopes(tokens, 'y', ['meta.array.table.toml', 'entity.name.tag.table.array.toml']);
    expectScopes(tokens, ']]', ['meta.array.table.toml', 'punctuation.definition.table.array.end.toml']);
  });

  it('bare, quoted and dotted keys', () => {
    const { tokens } = tokenize(`a."b.c".d = 1\n'lit key' = 2\n"" = 3\n1234 = 4\ntrue = 5\n`);
    expectScopes(tokens, 'a', ['meta.key.toml', 'support.type.property-name.toml']);
    expectScopes(tokens, '.', ['punctuation.separator.dot.toml']);
    expectScopes(tokens, 'b.c', ['support.type.property-name.toml']);
    assert.ok(
      !scopesOf(tokens, 'b.c').includes('punctuation.separator.dot.toml'),
      'the dot inside a quoted key is part of the key',
    );
    expectScopes(tokens, '"', ['support.type.property-name.toml', 'punctuation.definition.string.begin.toml']);
    expectScopes(tokens, 'd', ['support.type.property-name.toml']);
    expectScopes(tokens, '=', ['keyword.operator.assignment.toml']);
    expectScopes(tokens, '1', ['constant.numeric.integer.decimal.toml']);
    expectScopes(tokens, 'lit key', ['support.type.property-name.toml']);
    expectScopes(tokens, '1234', ['support.type.property-name.toml']); // a bare key that looks like a number
    expectScopes(tokens, 'true', ['support.type.property-name.toml']); // ... or like a boolean
    assert.deepEqual(invalidTokens(tokens), []);
  });

  it('the four kinds of strings, escapes and bad escapes', () => {
    const { tokens, end } = tokenize(
      [
        'basic = "tab\\there # not a comment"',
        'ml = """first line',
        'second \\u00E9 line\\',
        '   third"""',
        "lit = 'C:\\path # not a comment'",
        "mll = '''",
        "raw \\n text''''",
        'bad = "\\q"',
      ].join('\n'),
    );
    expectScopes(tokens, 'tab', ['string.quoted.double.basic.toml']);
    expectScopes(tokens, '\\t', ['string.quoted.double.basic.toml', 'constant.character.escape.toml']);
    expectScopes(tokens, 'here # not a comment', ['string.quoted.double.basic.toml']);
    expectScopes(tokens, '"""', ['string.quoted.triple.basic.block.toml', 'punctuation.definition.string.begin.toml']);
    expectScopes(tokens, 'first line', ['string.quoted.triple.basic.block.toml']);
    expectScopes(tokens, 'second ', ['string.quoted.triple.basic.block.toml']); // the second line is still in the string
    expectScopes(tokens, '\\u00E9', ['string.quoted.triple.basic.block.toml', 'constant.character.escape.toml']);
    expectScopes(tokens, '\\', [
      'string.quoted.triple.basic.block.toml',
      'constant.character.escape.line-continuation.toml',
    ]);
    expectScopes(tokens, '   third', ['string.quoted.triple.basic.block.toml']);
    expectScopes(tokens, '"""', ['string.quoted.triple.basic.block.toml', 'punctuation.definition.string.end.toml'], 1);
    expectScopes(tokens, "'", ['string.quoted.single.literal.toml', 'punctuation.definition.string.begin.toml']);
    expectScopes(tokens, 'C:\\path # not a comment', ['string.quoted.single.literal.toml']); // no escapes in literal strings
    expectScopes(tokens, "'''", [
      'string.quoted.triple.literal.block.toml',
      'punctuation.definition.string.begin.toml',
    ]);
    expectScopes(tokens, 'raw \\n text', ['string.quoted.triple.literal.block.toml']);
    const fourth = onLine(tokens, 7).filter((t) => t.text === "'");
    assert.equal(fourth.length, 1, 'a 4th closing quote belongs to the content');
    assert.deepEqual(fourth[0].scopes, ['source.toml', 'string.quoted.triple.literal.block.toml']);
    expectScopes(
      tokens,
      "'''",
      ['string.quoted.triple.literal.block.toml', 'punctuation.definition.string.end.toml'],
      1,
    );
    expectScopes(tokens, '\\q', ['string.quoted.double.basic.toml', 'invalid.illegal.escape.toml']);
    assert.deepEqual(
      invalidTokens(tokens).map((t) => t.text),
      ['\\q'],
    );
    assert.equal(
      tokens.filter((t) => t.scopes.some((s) => s.startsWith('comment'))).length,
      0,
      '# inside strings is not a comment',
    );
    assert.equal(end.depth, 1, 'every string is closed');
  });

  it('integers, floats, booleans, dates and times', () => {
    const { tokens } = tokenize(
      [
        'i = [0xDEAD_beef, 0o755, 0b1101_0110, 1_000_000, -17, +0]',
        'f = [6.626e-34, 3.14, -0.0, 1e1_000, +inf, -nan, inf]',
        'b = [true, false]',
        'd = [1979-05-27T07:32:00-08:00, 1979-05-27 07:32:00Z, 1979-05-27T00:32:00.999999, 1979-05-27, 07:32:00, 00:32:00.5]',
      ].join('\n'),
    );
    expectScopes(tokens, '0xDEAD_beef', ['constant.numeric.integer.hex.toml']);
    expectScopes(tokens, '0o755', ['constant.numeric.integer.octal.toml']);
    expectScopes(tokens, '0b1101_0110', ['constant.numeric.integer.binary.toml']);
    expectScopes(tokens, '1_000_000', ['constant.numeric.integer.decimal.toml']);
    expectScopes(tokens, '-17', ['constant.numeric.integer.decimal.toml']);
    expectScopes(tokens, '+0', ['constant.numeric.integer.decimal.toml']);
    expectScopes(tokens, '6.626e-34', ['constant.numeric.float.toml']);
    expectScopes(tokens, '3.14', ['constant.numeric.float.toml']);
    expectScopes(tokens, '-0.0', ['constant.numeric.float.toml']);
    expectScopes(tokens, '1e1_000', ['constant.numeric.float.toml']);
    expectScopes(tokens, '+inf', ['constant.numeric.float.inf.toml']);
    expectScopes(tokens, 'inf', ['constant.numeric.float.inf.toml']);
    expectScopes(tokens, '-nan', ['constant.numeric.float.nan.toml']);
    expectScopes(tokens, 'true', ['constant.language.boolean.toml']);
    expectScopes(tokens, 'false', ['constant.language.boolean.toml']);
    expectScopes(tokens, '1979-05-27T07:32:00-08:00', ['constant.numeric.datetime.offset.toml']);
    expectScopes(tokens, '1979-05-27 07:32:00Z', ['constant.numeric.datetime.offset.toml']);
    expectScopes(tokens, '1979-05-27T00:32:00.999999', ['constant.numeric.datetime.local.toml']);
    expectScopes(tokens, '1979-05-27', ['constant.numeric.date.local.toml']);
    expectScopes(tokens, '07:32:00', ['constant.numeric.time.local.toml']);
    expectScopes(tokens, '00:32:00.5', ['constant.numeric.time.local.toml']);
    assert.deepEqual(unrecognised(tokens), []);
    assert.deepEqual(invalidTokens(tokens), []);
  });

  it('an array across lines, an inline table with nested keys, a comment after a value', () => {
    const { tokens, end } = tokenize(
      [
        'ports = [ # the ports',
        '  6969,',
        '  [ "nested", 2 ],',
        ']',
        'owner = { name = "Tom", dob.year = 1979, tags = ["a"], inner = { x = 1 } } # who',
        'port = 6969 # the port',
      ].join('\n'),
    );
    expectScopes(tokens, '[', ['meta.array.toml', 'punctuation.definition.array.begin.toml']);
    expectScopes(tokens, ' the ports', ['meta.array.toml', 'comment.line.number-sign.toml']);
    expectScopes(tokens, '6969', ['meta.array.toml', 'constant.numeric.integer.decimal.toml']);
    expectScopes(tokens, ',', ['meta.array.toml', 'punctuation.separator.array.toml']);
    expectScopes(tokens, 'nested', ['meta.array.toml', 'string.quoted.double.basic.toml']);
    assert.equal(scopesOf(tokens, 'nested').filter((s) => s === 'meta.array.toml').length, 2, 'nested array');
    expectScopes(tokens, ']', ['meta.array.toml', 'punctuation.definition.array.end.toml'], 1);
    expectScopes(tokens, '{', ['meta.inline-table.toml', 'punctuation.definition.inline-table.begin.toml']);
    expectScopes(tokens, 'name', ['meta.inline-table.toml', 'support.type.property-name.toml']);
    expectScopes(tokens, 'Tom', ['meta.inline-table.toml', 'string.quoted.double.basic.toml']);
    expectScopes(tokens, 'dob', ['meta.inline-table.toml', 'support.type.property-name.toml']);
    expectScopes(tokens, 'year', ['meta.inline-table.toml', 'support.type.property-name.toml']);
    expectScopes(tokens, '1979', ['meta.inline-table.toml', 'constant.numeric.integer.decimal.toml']);
    expectScopes(tokens, 'a', ['meta.inline-table.toml', 'meta.array.toml', 'string.quoted.double.basic.toml']);
    expectScopes(tokens, 'x', ['meta.inline-table.toml', 'support.type.property-name.toml']);
    assert.equal(scopesOf(tokens, 'x').filter((s) => s === 'meta.inline-table.toml').length, 2, 'nested inline table');
    expectScopes(onLine(tokens, 5), ',', ['meta.inline-table.toml', 'punctuation.separator.inline-table.toml']);
    expectScopes(tokens, '}', ['meta.inline-table.toml', 'punctuation.definition.inline-table.end.toml'], 1);
    expectScopes(tokens, ' who', ['comment.line.number-sign.toml']);
    assert.ok(!scopesOf(tokens, ' who').includes('meta.inline-table.toml'), 'the inline table is closed');
    expectScopes(tokens, ' the port', ['comment.line.number-sign.toml']);
    assert.deepEqual(unrecognised(tokens), []);
    assert.equal(end.depth, 1);
  });

  it('an unclosed array or inline table (while typing) does not swallow the following keys and tables', () => {
    const { tokens } = tokenize('a = [1,\nb = "x"\nc = { d = 1,\n[table]\ne = 2\n');
    expectScopes(tokens, 'b', ['support.type.property-name.toml']);
    assert.ok(!scopesOf(tokens, 'b').includes('meta.array.toml'));
    expectScopes(tokens, 'table', ['meta.table.toml', 'entity.name.tag.table.toml']);
    assert.ok(!scopesOf(tokens, 'table').includes('meta.inline-table.toml'));
    expectScopes(tokens, 'e', ['support.type.property-name.toml']);
    assert.deepEqual(scopesOf(tokens, 'e'), ['source.toml', 'meta.key.toml', 'support.type.property-name.toml']);
  });

  describe('toml-test corpus: every valid document', () => {
    const root = path.join(CORPUS, 'valid');
    it('the corpus is present', () => assert.ok(fs.existsSync(root), `toml-test valid/ not found at ${root}`));
    if (!fs.existsSync(root)) return;
    const files: string[] = [];
    (function walk(dir: string) {
      for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
        if (e.isDirectory()) walk(path.join(dir, e.name));
        else if (e.name.endsWith('.toml')) files.push(path.join(dir, e.name));
      }
    })(root);
    // No exclusions: the grammar accepts TOML 1.0 and the TOML 1.1 additions in valid/ (\e and \xHH escapes,
    // times without seconds, inline tables across lines with comments), so every valid file must pass.

    it('holds the TOML 1.0 and 1.1 valid files (268)', () => assert.equal(files.length, 268));

    it('tokenizes to the end, with nothing invalid or unrecognised, and closes every rule', () => {
      const failures: string[] = [];
      for (const file of files) {
        const name = path.relative(CORPUS, file);
        try {
          const { tokens, end } = tokenize(fs.readFileSync(file, 'utf8'));
          const bad = invalidTokens(tokens);
          assert.deepEqual(
            bad.map((t) => `${t.line + 1}: ${JSON.stringify(t.text)}`),
            [],
            'tokens scoped invalid.illegal',
          );
          assert.deepEqual(
            unrecognised(tokens).map((t) => `${t.line + 1}: ${JSON.stringify(t.text)} ${t.scopes.join(' ')}`),
            [],
            'text no rule recognised',
          );
          // A valid file never ends inside a multi-line string, array or inline table: the stack is back at the root.
          assert.equal(end.depth, 1, 'rule stack left open at the end of the file');
        } catch (e) {
          failures.push(`${name}: ${(e as Error).message}`);
        }
      }
      assert.deepEqual(failures, []);
    });
  });

  it('toml-test corpus: every invalid document tokenizes to the end (no hang, no throw)', () => {
    const root = path.join(CORPUS, 'invalid');
    let count = 0;
    (function walk(dir: string) {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory()) walk(path.join(dir, e.name));
        else if (e.name.endsWith('.toml')) {
          tokenize(fs.readFileSync(path.join(dir, e.name), 'utf8'));
          count++;
        }
      }
    })(root);
    assert.ok(count > 400, `only ${count} invalid files found`);
  });

  describe('helix.toml samples (examples/, test/fixtures/workspace/)', () => {
    const samples = [
      ...fs
        .readdirSync(path.join(ROOT, 'examples'))
        .flatMap((d) => ['helix.toml', 'helix.deploy.toml'].map((f) => path.join('examples', d, f))),
      ...fs
        .readdirSync(path.join(ROOT, 'test/fixtures/workspace'))
        .flatMap((d) => ['helix.toml', 'helix.deploy.toml'].map((f) => path.join('test/fixtures/workspace', d, f))),
    ].filter((f) => fs.existsSync(path.join(ROOT, f)));

    it('finds the samples', () =>
      assert.ok(samples.filter((f) => f.endsWith('/helix.toml')).length >= 10, samples.join(', ')));

    for (const sample of samples) {
      it(sample, () => {
        const { tokens, end } = tokenize(fs.readFileSync(path.join(ROOT, sample), 'utf8'));
        assert.deepEqual(invalidTokens(tokens), []);
        assert.deepEqual(unrecognised(tokens), []);
        assert.equal(end.depth, 1);
        const lines = fs.readFileSync(path.join(ROOT, sample), 'utf8').split(/\r?\n/);
        let keys = 0;
        let strings = 0;
        lines.forEach((text, line) => {
          const m = /^\s*([A-Za-z0-9_-]+)\s*=\s*(")?/.exec(text);
          if (!m) return;
          const onLine = tokens.filter((t) => t.line === line);
          const key = onLine.find((t) => t.text === m[1]);
          assert.ok(
            key?.scopes.includes('support.type.property-name.toml'),
            `${sample}:${line + 1} key ${m[1]}: ${key?.scopes.join(' ')}`,
          );
          keys++;
          if (m[2]) {
            assert.ok(
              onLine.some(
                (t) => t.scopes.includes('string.quoted.double.basic.toml') && !t.scopes.includes('meta.key.toml'),
              ),
              `${sample}:${line + 1}: string value not scoped`,
            );
            strings++;
          }
        });
        assert.ok(keys > 0 && strings > 0, `${sample}: ${keys} keys, ${strings} string values`);
        const header = lines.findIndex((l) => /^\s*\[[A-Za-z]/.test(l));
        if (header >= 0)
          assert.ok(
            tokens.some((t) => t.line === header && t.scopes.includes('entity.name.tag.table.toml')),
            `${sample}:${header + 1}: table header`,
          );
      });
    }
  });
});
