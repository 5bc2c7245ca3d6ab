import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toCanonicalJson } from '../../electron/pbs/canonicalJson.ts';

test('keys sorted by byte order, no whitespace, recursive', () => {
  assert.equal(toCanonicalJson({ b: 1, a: [true, false, { z: 'x', y: 2 }], A: {} }), '{"A":{},"a":[true,false,{"y":2,"z":"x"}],"b":1}');
  assert.equal(toCanonicalJson([]), '[]');
  assert.equal(toCanonicalJson({}), '{}');
});

test('key order is by UTF-8 bytes, not UTF-16 code units or locale', () => {
  // U+FF5E (UTF-8 ef bd 9e) sorts before U+1F600 (f0 9f 98 80) in UTF-8 but after it in UTF-16
  assert.equal(toCanonicalJson({ '\u{1F600}': 1, '\uFF5E': 2 }), '{"\uFF5E":2,"\u{1F600}":1}');
  // uppercase before lowercase, digits before letters; integer-like keys are not special
  assert.equal(toCanonicalJson({ b: 1, B: 2, '10': 3, '9': 4 }), '{"10":3,"9":4,"B":2,"b":1}');
});

test('strings use serde_json escaping, non-ASCII stays UTF-8', () => {
  assert.equal(toCanonicalJson('a"b\\c\n\t\u0001\u001f'), '"a\\"b\\\\c\\n\\t\\u0001\\u001f"');
  assert.equal(toCanonicalJson('grüße/✓'), '"grüße/✓"');
  assert.equal(toCanonicalJson(1593179765), '1593179765');
  assert.equal(toCanonicalJson(-3), '-3');
});

test('null anywhere is an error, and so are non-JSON values', () => {
  assert.throws(() => toCanonicalJson(null), TypeError);
  assert.throws(() => toCanonicalJson({ a: { b: null } }), TypeError);
  assert.throws(() => toCanonicalJson([1, null]), TypeError);
  assert.throws(() => toCanonicalJson(Number.NaN), TypeError);
  assert.throws(() => toCanonicalJson(() => 1), TypeError);
});
