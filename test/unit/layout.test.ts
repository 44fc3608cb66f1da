// The test tree's own rules: unit tests sit in folders that mirror src/ (a test of src/core/plan/x.ts lives in
// test/unit/core/plan/), and no test is skipped, made exclusive or left pending. At run time the same
// holds through mocha's forbid-pending and forbid-only (.mocharc.json and the extension-host runner).

import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

const root = join(__dirname, '..', '..');
const unit = join(root, 'test', 'unit');

/** Folders of test/unit that hold helpers shared by unit tests rather than tests of one part of src/. */
const HELPER_FOLDERS = ['support'];

function files(dir: string, ext: RegExp): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && ext.test(d.name))
    .map((d) => join(d.parentPath, d.name));
}

describe('test layout', () => {
  it('every unit test sits in a folder that mirrors one under src/ (or a named helper folder)', () => {
    const misplaced = files(unit, /\.test\.ts$/)
      .map((f) => relative(unit, f))
      .filter((f) => {
        const dir = f.split(sep).slice(0, -1).join('/');
        if (dir === '' || HELPER_FOLDERS.some((h) => dir === h || dir.startsWith(`${h}/`))) return false;
        const mirror = join(root, 'src', dir);
        return !(existsSync(mirror) && statSync(mirror).isDirectory());
      });
    assert.deepEqual(misplaced, [], 'move each into test/unit/<the folder of its subject under src/>');
  });

  it('no test source skips a test, makes one exclusive or leaves one pending', () => {
    // Built from parts so that this file does not match itself.
    const forbidden: [string, RegExp][] = [
      ['.skip', new RegExp(String.raw`\b(?:it|describe|context|specify|suite|test)\.` + 'skip' + String.raw`\s*\(`)],
      ['x-prefixed', new RegExp(String.raw`\bx(?:it|describe|context|specify)\s*\(`)],
      ['skip() at run time', new RegExp(String.raw`\b(?:this|ctx|context)\.` + 'skip' + String.raw`\s*\(`)],
      ['.only', new RegExp(String.raw`\b(?:it|describe|context|specify|suite|test)\.` + 'only' + String.raw`\s*\(`)],
      [
        'pending (a title without a body)',
        new RegExp(String.raw`^\s*(?:it|specify)\s*\(\s*(['"\x60])[^'"\x60]*\1\s*\)\s*;?\s*$`),
      ],
    ];
    const sources = ['unit', 'integration', 'e2e', 'support', 'bench'].flatMap((d) =>
      files(join(root, 'test', d), /\.(?:ts|mjs|cjs|js)$/),
    );
    const found = sources.flatMap((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .flatMap((line, i) =>
          forbidden.filter(([, re]) => re.test(line)).map(([what]) => `${relative(root, f)}:${i + 1}: ${what}`),
        ),
    );
    assert.deepEqual(found, [], 'a test that cannot get its real component fails loudly instead');
  });
});
