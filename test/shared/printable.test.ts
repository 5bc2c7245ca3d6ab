// Foreign text made printable (shared/printable.ts): one line, every control a visible escape,
// and JSON that stays valid JSON.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { printable, printableJson } from '../../shared/printable.ts';

test('controls become escapes: C0 (newlines too), DEL, C1, line separators, bidi overrides', () => {
  assert.equal(printable('a\nb\r\tc'), 'a\\nb\\r\\tc');
  assert.equal(printable('\u001b[2J\u0007\u007f\u009b'), '\\x1b[2J\\x07\\x7f\\x9b');
  assert.equal(printable('evil\u202etxt.exe\u2028x'), 'evil\\u202etxt.exe\\u2028x');
  assert.equal(printable('plain: ÄÖ ✓ 日本'), 'plain: ÄÖ ✓ 日本', 'printable text is left alone');
  const json = printableJson({ s: 'x\u009b\u202e\n', n: [1] }, 2);
  assert.ok(!/[\u007f-\u009f\u202e]/.test(json));
  assert.deepEqual(JSON.parse(json), { s: 'x\u009b\u202e\n', n: [1] });
});
