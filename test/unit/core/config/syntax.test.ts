import { strict as assert } from 'node:assert';
import { check } from './helpers';
import { closest, distance } from '../../../../src/core/config/similar';
import { readProject } from '../../../../src/core/config/project';
import { deployTargetFor, DeployTargetError } from '../../../../src/core/engine/target';
import {
  MAX_FILE_CHARS,
  MAX_ITEMS,
  MAX_KEY_LENGTH,
  MAX_KEY_PARTS,
  MAX_NESTING,
  MAX_STRING_CHARS,
} from '../../../../src/core/config/limits';

const P = '[project]\nname = "app"\n\n';

/** The one diagnostic of `text`, as line:col, the text it covers and its message. */
function one(text: string) {
  const s = check(text);
  assert.equal(s.length, 1, JSON.stringify(s.map((x) => x.message)));
  return s[0];
}

describe('config: syntax errors on the line that has the mistake', () => {
  it('an unterminated table header is reported on its own line: expected "]"', () => {
    const s = one(P + '[local.dev\nport = 1\n');
    assert.equal(s.code, 'toml-syntax');
    assert.equal(s.at, '4:1');
    assert.equal(s.text, '[local.dev');
    assert.match(
      s.message,
      /^TOML syntax error: expected "\]": close the table header on its own line, e\.g\. `\[local\.dev\]`$/,
    );
  });

  it('the same with a comment, trailing spaces, CRLF, at the end of the file, or a word after the key', () => {
    for (const [text, covered] of [
      [P + '[local.dev # the dev instance\nport = 1\n', '[local.dev'],
      [P + '  [ local.dev   \r\nport = 1\r\n', '[ local.dev'],
      [P + '[local.dev', '[local.dev'],
      [P + '[local."my dev"\nport = 1\n', '[local."my dev"'],
    ]) {
      const s = one(text);
      assert.equal(s.at.split(':')[0], '4', text);
      assert.equal(s.text, covered, text);
      assert.match(s.message, /expected "\]"/, text);
    }
    const s = one(P + '[local.dev port = 1\n');
    assert.equal(s.text, '[local.dev');
    assert.match(s.message, /expected "\]", found `port = 1`/);
  });

  it('an array-of-tables header with one or no closing bracket: expected "]]"', () => {
    for (const [text, covered] of [
      [P + '[[local.dev]\nport = 1\n', '[[local.dev]'],
      [P + '[[local.dev\nport = 1\n', '[[local.dev'],
    ]) {
      const s = one(text);
      assert.equal(s.at, '4:1');
      assert.equal(s.text, covered);
      assert.match(s.message, /expected "\]\]".*`\[\[local\.dev\]\]`/);
    }
  });

  it('an inline table left open at the end of its line is reported on that line: expected "}"', () => {
    const s = one(P + '[local.dev]\nbuild = { context = "."\nport = 1\n');
    assert.equal(s.at, '5:9');
    assert.equal(s.text, '{ context = "."');
    assert.match(s.message, /expected "\}": newline is not allowed in an inline table/);
    // A brace inside a string does not count; the innermost open table is the one reported.
    const t = one(P + 'a = { b = "{", c = { d = 1 }\nx = 1\n');
    assert.equal(t.text, '{ b = "{", c = { d = 1 }');
    assert.equal(one(P + 'a = { b = "x\\"{", c = 1\nx = 1\n').text, '{ b = "x\\"{", c = 1');
    // An array inside an inline table may span lines: an error after it is not this one.
    assert.doesNotMatch(one(P + 'a = { b = [1,\n2 }\n').message, /expected "\}"/);
  });

  it("other errors keep the parser's own wording and place", () => {
    // Unfinished key inside a header, a string in a header, text after a complete header.
    let s = one(P + '[local.\nport = 1\n');
    assert.equal(s.text, '[local.');
    assert.match(s.message, /keys cannot end with a dot/);
    assert.match(one(P + '[local."dev\nport = 1\n').message, /unterminated string/);
    assert.match(one(P + '[local.dev]]\n').message, /must be a newline/);
    // A header-like line inside a multi-line string is content, not a header.
    s = one(P + 'a = """\n[local.dev\nb"""x\n');
    assert.doesNotMatch(s.message, /expected "\]"/);
    assert.equal(s.at, '6:5');
  });
});

describe('config: limits (bounded work for any input)', () => {
  const limit = (text: string) => {
    const s = check(text);
    assert.equal(s.length, 1, JSON.stringify(s.map((x) => x.message)));
    assert.equal(s[0].code, 'toml-limit');
    return s[0];
  };

  it('an 80 KB line of dotted keys (40,000 parts) is refused on that line', () => {
    const key = Array(40_000).fill('a').join('.');
    let s = limit(P + key + ' = 1\n');
    assert.equal(s.at, '4:1');
    assert.match(s.message, new RegExp(`more than ${MAX_KEY_PARTS} dotted parts`));
    s = limit(P + '[' + key + ']\n');
    assert.equal(s.at, '4:1');
    s = limit(P + Array(30_000).fill('"a"').join('.') + ' = 1\n');
    assert.match(s.message, /dotted parts/);
    // The deploy file goes through the same front end.
    assert.equal(check(Array(20_000).fill('a').join('.') + ' = 1\n', { kind: 'deploy' })[0].code, 'toml-limit');
  });

  it('keys of up to the limit are read as before', () => {
    const key = Array(MAX_KEY_PARTS).fill('a').join('.');
    assert.ok(check(P + '[local.dev]\n' + key + ' = 1\n').every((d) => d.code !== 'toml-limit'));
    assert.ok(check(P + '[local.dev]\n' + 'k'.repeat(MAX_KEY_LENGTH) + ' = 1\n').every((d) => d.code !== 'toml-limit'));
    assert.ok(
      check(P + 'a = ' + '['.repeat(MAX_NESTING - 1) + ']'.repeat(MAX_NESTING - 1) + '\n').every(
        (d) => d.code !== 'toml-limit',
      ),
    );
  });

  it('too long: file, key (bare or quoted), string', () => {
    let s = limit(P + 'q'.repeat(5_000_000) + ' = 1\n');
    assert.equal(s.at, '1:1');
    assert.match(s.message, new RegExp(`up to ${MAX_FILE_CHARS.toLocaleString('en-US')} characters`));
    s = limit(P + '[local.dev]\n' + 'q'.repeat(MAX_KEY_LENGTH + 1) + ' = 1\n');
    assert.equal(s.at, '5:1');
    assert.match(s.message, /keys of up to 1,024 characters/);
    s = limit(P + '[local.dev]\n"' + 'q'.repeat(MAX_KEY_LENGTH + 1) + '" = 1\n');
    assert.equal(s.at, '5:1');
    s = limit(P + '[local.dev]\nimage = "' + 'x'.repeat(MAX_STRING_CHARS) + '"\n');
    assert.equal(s.at, '5:9');
    assert.match(s.message, /strings of up to 65,536 characters/);
  });

  it('too deep and too many: arrays, inline tables, items', () => {
    let s = limit(P + 'a = ' + '['.repeat(60_000) + ']'.repeat(60_000) + '\n');
    assert.match(s.message, new RegExp(`nested more than ${MAX_NESTING} levels`));
    s = limit(P + 'a = ' + '{b='.repeat(30_000) + '1' + '}'.repeat(30_000) + '\n');
    assert.match(s.message, /nested more than/);
    s = limit(P + 'a = [' + '1,'.repeat(MAX_ITEMS) + ']\n');
    assert.match(s.message, new RegExp(`more than ${MAX_ITEMS.toLocaleString('en-US')} keys, values and tables`));
  });

  it('unknown keys and values get a suggestion only when short; messages quote long ones cut', () => {
    const s = check(P + '[local.dev]\n' + 'q'.repeat(1000) + ' = 1\n').find((d) => d.code === 'unknown-key')!;
    assert.ok(s.message.length < 400, s.message.slice(0, 200));
    assert.match(s.message, /… \(1,000 characters\)/);
    assert.equal(closest('x'.repeat(100_000), ['port', 'image']), undefined);
    assert.equal(closest('prot', ['port', 'image']), 'port');
    assert.equal(closest('imgae', ['port', 'image']), 'image');
    // Exact distances where they matter, and an early "more than max" beyond.
    assert.equal(distance('kitten', 'sitting'), 3);
    assert.equal(distance('ab', 'ba'), 1);
    assert.equal(distance('abcdef', 'ghijkl', 2), 3);
    assert.equal(distance('a'.repeat(50_000), 'b', 3), 4);
  });
});

describe('config: a deploy file past a limit, seen from plan', () => {
  it('names the errors instead of saying the environment does not exist', () => {
    const project = readProject(
      '/w/helix.toml',
      P + '[local.dev]\n',
      '[environments.e]\nterraform = { dir = "infra" }\n' + Array(20_000).fill('a').join('.') + ' = 1\n',
    )!;
    assert.throws(
      () => deployTargetFor(project, 'e'),
      (e: unknown) =>
        e instanceof DeployTargetError && /config files have 1 error: run `helix-deploy validate`/.test(e.message),
    );
  });
});
