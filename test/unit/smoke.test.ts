import { strict as assert } from 'node:assert';
import { parseTOML } from 'toml-eslint-parser';
describe('smoke', () => { it('parses toml with ranges', () => { const ast = parseTOML('a = 1\n'); assert.equal(ast.type, 'Program'); }); });
