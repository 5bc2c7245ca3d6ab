// A binary search tree stored in an array, as goodbye tables are (upstream: proxmox/pxar
// src/binary_tree_array.rs, from casync's camakebst.c). A sorted array is permuted so that for
// the item at index i, the item at 2i+1 is smaller and the one at 2i+2 larger: a search starts at
// 0 and only ever moves to higher indexes. For 5 items the permutation is [3, 1, 4, 0, 2].

/** Calls `copy(src, dest)` for each item of a sorted array of `n`: sorted[src] goes to tree[dest]. */
export function binaryTreeArrayCopy(n: number, copy: (src: number, dest: number) => void): void {
  if (n === 0) return;
  const e = 31 - Math.clz32(n); // floor(log2(n)); goodbye tables stay far below 2^31 items
  copyInner(copy, n, 0, e, 0);
}

function copyInner(copy: (src: number, dest: number) => void, n: number, o: number, e: number, i: number): void {
  // Same arithmetic as upstream: m is the size of the left subtree of a complete tree of n items.
  const p = 2 ** e;
  const t = p + Math.floor(p / 2) - 1;
  const m = n > t ? p - 1 : p - 1 - (t - n);
  copy(o + m, i);
  if (m > 0) copyInner(copy, m, o, e - 1, i * 2 + 1);
  if (m + 1 < n) copyInner(copy, n - m - 1, o + m + 1, e - 1, i * 2 + 2);
}

/**
 * Index of the item for which `compare` returns 0, skipping the first `skip` matches (names whose
 * hashes collide sit in the subtrees below a match). `compare(item)` is searched-for vs item.
 */
export function binaryTreeArraySearch<T>(tree: readonly T[], start: number, skip: number, compare: (item: T) => number): number | undefined {
  let i = start;
  while (i < tree.length) {
    const c = compare(tree[i]!);
    if (c < 0) i = 2 * i + 1;
    else if (c > 0) i = 2 * i + 2;
    else if (skip === 0) return i;
    else {
      i = 2 * i + 1;
      return binaryTreeArraySearch(tree, i, skip - 1, compare) ?? binaryTreeArraySearch(tree, i + 1, skip - 1, compare);
    }
  }
  return undefined;
}
