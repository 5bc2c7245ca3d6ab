// Browse's pure pieces: the namespace tree built from PBS's flat list (children under parents,
// counts per namespace and below it, a missing parent still placed), which nodes show when some
// are closed, and where long names may wrap (after separators only).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { breakParts } from '../../renderer/format/breakName.ts';
import { ancestorsOf, findNode, namespaceTree, visibleNodes } from '../../renderer/format/namespaceTree.ts';
import { groupMatches } from '../../renderer/format/snapshot.ts';

test('the namespace tree: children under parents, sorted, with their own and total group counts', () => {
  const root = namespaceTree(['', 'lab', 'prod/eu/fra', 'lab/staging', 'prod', 'prod/eu', 'lab/ci10', 'lab/ci9'], {
    '': 4,
    lab: 1,
    'lab/staging': 1,
    'lab/ci9': 2,
    prod: 0,
    'prod/eu': 0,
    'prod/eu/fra': 3,
  });
  assert.deepEqual(
    visibleNodes(root, () => true).map((n) => [n.ns, n.depth, n.own, n.total]),
    [
      ['', 0, 4, 11],
      ['lab', 1, 1, 4],
      ['lab/ci9', 2, 2, 2],
      ['lab/ci10', 2, undefined, 0],
      ['lab/staging', 2, 1, 1],
      ['prod', 1, 0, 3],
      ['prod/eu', 2, 0, 3],
      ['prod/eu/fra', 3, 3, 3],
    ],
  );
  assert.equal(findNode(root, 'prod/eu')?.name, 'eu');
  assert.equal(findNode(root, 'nope'), undefined);
});

test('a namespace listed without its parent still hangs under a node for it; closed nodes hide their children', () => {
  const root = namespaceTree(['', 'a/b/c'], { 'a/b/c': 2 });
  assert.deepEqual(
    visibleNodes(root, () => true).map((n) => n.ns),
    ['', 'a', 'a/b', 'a/b/c'],
  );
  assert.equal(findNode(root, 'a')?.own, undefined);
  assert.equal(findNode(root, 'a')?.total, 2);
  assert.deepEqual(
    visibleNodes(root, (ns) => ns !== 'a').map((n) => n.ns),
    ['', 'a'],
  );
  assert.deepEqual(ancestorsOf('a/b/c'), ['', 'a', 'a/b']);
  assert.deepEqual(ancestorsOf(''), []);
  // An empty list is the root alone.
  assert.deepEqual(visibleNodes(namespaceTree([]), () => true).map((n) => n.ns), ['']);
});

test('the filter at the group level: every word in the group name or its notes', () => {
  const g = { backupType: 'vm', backupId: '200', comment: 'k8s test cluster' };
  assert.equal(groupMatches(g, ''), true);
  assert.equal(groupMatches(g, 'vm/200'), true);
  assert.equal(groupMatches(g, 'K8S cluster'), true);
  assert.equal(groupMatches(g, 'vm/200 prod'), false);
});

test('names break only after separators, and the parts give the name back', () => {
  assert.deepEqual(breakParts('drive-virtio1.img.fidx'), ['drive-', 'virtio1.', 'img.', 'fidx']);
  assert.deepEqual(breakParts('lab/staging/ct/300'), ['lab/', 'staging/', 'ct/', '300']);
  assert.deepEqual(breakParts('a--b'), ['a--', 'b'], 'a run of separators breaks once, after the run');
  assert.deepEqual(breakParts('virtio1'), ['virtio1']);
  assert.deepEqual(breakParts('trailing-'), ['trailing-']);
  assert.deepEqual(breakParts(''), []);
  for (const name of ['drive-scsi0.img.fidx', 'qemu-server.conf.blob', '-x-', 'a_b:c,d']) assert.equal(breakParts(name).join(''), name);
  // Never inside a word: every part but the last ends with a separator.
  for (const p of breakParts('drive-virtio1.img.fidx').slice(0, -1)) assert.match(p, /[-./_:,]$/);
});
