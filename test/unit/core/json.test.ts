// The JSON accessors the decoders use instead of `any`: each reads a missing or mistyped field the way
// optional chaining would, so a plan that omits what it does not need still decodes.

import assert from 'node:assert/strict';
import { arr, at, obj, str } from '../../../src/core/json';

describe('JSON accessors', () => {
  it('at() follows a chain of keys like ?.[k], stopping at null or undefined', () => {
    const doc = { a: { b: [{ c: 1 }] }, n: null };
    assert.equal(at(doc, 'a', 'b', 0, 'c'), 1);
    assert.equal(at(doc, 'a', 'x', 'c'), undefined);
    assert.equal(at(doc, 'n', 'c'), undefined);
    assert.equal(at(undefined, 'a'), undefined);
    assert.equal(at(doc), doc);
  });

  it('obj() keeps objects and arrays, and reads anything else as an empty object', () => {
    const o = { x: 1 };
    assert.equal(obj(o), o);
    assert.equal(obj([1]).length, 1);
    for (const v of [undefined, null, 3, 'text', true]) assert.deepEqual(Object.keys(obj(v)), []);
  });

  it('arr() and str() narrow or fall back', () => {
    assert.deepEqual(arr([1, 2]), [1, 2]);
    assert.deepEqual(arr({ length: 1 }), []);
    assert.equal(str('s'), 's');
    assert.equal(str(1), undefined);
  });
});
