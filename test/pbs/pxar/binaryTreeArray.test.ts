import { test } from 'node:test';
import assert from 'node:assert/strict';
import { binaryTreeArrayCopy, binaryTreeArraySearch } from '../../../electron/pbs/pxar/binaryTreeArray.ts';

function permutation(n: number): number[] {
  const out = new Array<number>(n).fill(-1);
  binaryTreeArrayCopy(n, (src, dest) => {
    assert.equal(out[dest], -1, `slot ${dest} written twice`);
    out[dest] = src;
  });
  return out;
}

test('the permutation equals upstream test_binary_search_tree for 0..17 items', () => {
  const expected: number[][] = [
    [], [0], [1, 0], [1, 0, 2], [2, 1, 3, 0], [3, 1, 4, 0, 2], [3, 1, 5, 0, 2, 4], [3, 1, 5, 0, 2, 4, 6],
    [4, 2, 6, 1, 3, 5, 7, 0], [5, 3, 7, 1, 4, 6, 8, 0, 2], [6, 3, 8, 1, 5, 7, 9, 0, 2, 4],
    [7, 3, 9, 1, 5, 8, 10, 0, 2, 4, 6], [7, 3, 10, 1, 5, 9, 11, 0, 2, 4, 6, 8],
    [7, 3, 11, 1, 5, 9, 12, 0, 2, 4, 6, 8, 10], [7, 3, 11, 1, 5, 9, 13, 0, 2, 4, 6, 8, 10, 12],
    [7, 3, 11, 1, 5, 9, 13, 0, 2, 4, 6, 8, 10, 12, 14],
    [8, 4, 12, 2, 6, 10, 14, 1, 3, 5, 7, 9, 11, 13, 15, 0],
    [9, 5, 13, 3, 7, 11, 15, 1, 4, 6, 8, 10, 12, 14, 16, 0, 2],
  ];
  expected.forEach((perm, n) => assert.deepEqual(permutation(n), perm, `${n} items`));
});

test('every permutation up to 1000 items is a search tree that finds every value', () => {
  for (let n = 1; n <= 1000; n += n < 40 ? 1 : 37) {
    const tree = permutation(n);
    assert.equal(new Set(tree).size, n);
    for (let v = 0; v < n; v++) assert.equal(tree[binaryTreeArraySearch(tree, 0, 0, (x) => v - x)!], v, `${v} of ${n}`);
    assert.equal(binaryTreeArraySearch(tree, 0, 0, (x) => n - x), undefined);
  }
});

test('search with skip finds duplicates as upstream search_by documents', () => {
  const sorted = [0, 1, 2, 2, 2, 3, 4, 5, 6, 6, 7, 8, 8, 8];
  const vals = new Array<number>(sorted.length);
  binaryTreeArrayCopy(sorted.length, (s, d) => (vals[d] = sorted[s]!));
  assert.deepEqual(vals, [5, 2, 8, 1, 3, 6, 8, 0, 2, 2, 4, 6, 7, 8]);
  const find = (v: number) => (x: number) => v - x;
  assert.equal(binaryTreeArraySearch(vals, 0, 0, find(8)), 2);
  assert.equal(binaryTreeArraySearch(vals, 2, 1, find(8)), 6);
  assert.equal(binaryTreeArraySearch(vals, 6, 1, find(8)), 13);
  assert.equal(binaryTreeArraySearch(vals, 0, 1, find(5)), undefined);
  assert.equal(binaryTreeArraySearch(vals, vals.length, 0, find(5)), undefined);
});
