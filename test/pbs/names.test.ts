import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  backupTimeName,
  checkArchiveName,
  checkBackupId,
  checkBackupTimeName,
  checkBackupType,
  checkNamespace,
  formatSnapshotRef,
  isBackupTimeName,
  isSafeId,
  normalizeArchiveName,
  parseBackupTimeName,
  parseSnapshotRef,
} from '../../electron/pbs/names.ts';
import { hasCode } from './helpers.ts';

const INVALID = hasCode('INVALID_NAME');

test('parseSnapshotRef parses TYPE/ID/TIME and formats back', () => {
  const ref = parseSnapshotRef('vm/100/2025-07-14T14:20:02Z');
  assert.deepEqual(ref, { ns: '', type: 'vm', id: '100', time: 1752502802 });
  assert.equal(formatSnapshotRef(ref), 'vm/100/2025-07-14T14:20:02Z');
  assert.deepEqual(parseSnapshotRef('host/elsa/2020-06-26T13:56:05Z', 'site1/cluster2'), {
    ns: 'site1/cluster2',
    type: 'host',
    id: 'elsa',
    time: 1593179765,
  });
  assert.deepEqual(parseSnapshotRef('ct/my_ct-1.x/2000-01-01T00:00:00Z').id, 'my_ct-1.x');
});

test('parseSnapshotRef rejects malformed refs, traversal ids and namespaces', () => {
  for (const spec of [
    'vm/100',
    'vm/100/2025-07-14T14:20:02Z/extra',
    'VM/100/2025-07-14T14:20:02Z',
    'lxc/100/2025-07-14T14:20:02Z',
    'vm/../2025-07-14T14:20:02Z',
    'vm/./2025-07-14T14:20:02Z',
    'vm/.hidden/2025-07-14T14:20:02Z',
    'vm//2025-07-14T14:20:02Z',
    'vm/100/2025-07-14 14:20:02Z',
    'vm/100/2025-07-14T14:20:02',
    'vm/100/2025-07-14T14:20:02.000Z',
    'vm/100/..',
    '../../etc/passwd',
  ]) {
    assert.throws(() => parseSnapshotRef(spec), INVALID, spec);
  }
  for (const ns of ['..', 'a/..', '../a', 'a//b', '/a', 'a/', '.ns', 'a/b c', 'a\\b']) {
    assert.throws(() => parseSnapshotRef('vm/100/2025-07-14T14:20:02Z', ns), INVALID, ns);
  }
});

test('impossible dates are rejected instead of rolling over to another snapshot', () => {
  for (const t of ['2020-02-30T00:00:00Z', '2021-02-29T00:00:00Z', '2020-04-31T12:00:00Z', '2020-01-01T24:00:00Z', '2020-13-01T00:00:00Z', '2020-01-01T23:59:60Z']) {
    assert.equal(isBackupTimeName(t), false, t);
    assert.throws(() => parseSnapshotRef(`vm/100/${t}`), INVALID, t);
  }
  assert.equal(isBackupTimeName('2020-02-29T23:59:59Z'), true);
  assert.equal(parseBackupTimeName('2020-02-29T23:59:59Z'), 1583020799);
  assert.equal(parseBackupTimeName('1970-01-01T00:00:00Z'), 0);
});

test('backupTimeName formats UTC with second precision', () => {
  assert.equal(backupTimeName(1593179765), '2020-06-26T13:56:05Z');
  assert.equal(backupTimeName(1752502802), '2025-07-14T14:20:02Z');
  assert.equal(checkBackupTimeName('2025-07-14T14:20:02Z'), '2025-07-14T14:20:02Z');
});

test('checkNamespace: root, depth and length limits', () => {
  assert.deepEqual(checkNamespace(''), []);
  assert.deepEqual(checkNamespace('a/b_c/d-1.2'), ['a', 'b_c', 'd-1.2']);
  assert.deepEqual(checkNamespace('1/2/3/4/5/6/7').length, 7);
  assert.throws(() => checkNamespace('1/2/3/4/5/6/7/8'), INVALID);
  assert.throws(() => checkNamespace('a'.repeat(257)), INVALID);
  assert.deepEqual(checkNamespace('a'.repeat(256)), ['a'.repeat(256)]);
});

test('backup types and ids', () => {
  for (const t of ['vm', 'ct', 'host']) assert.equal(checkBackupType(t), t);
  assert.throws(() => checkBackupType('qemu'), INVALID);
  assert.equal(checkBackupId('_x.y-z'), '_x.y-z');
  for (const id of ['', '..', '.', '-a', 'a/b', 'a b', 'ä']) assert.throws(() => checkBackupId(id), INVALID, id);
  assert.equal(isSafeId('store1'), true);
  assert.equal(isSafeId('..'), false);
});

test('archive names cannot carry paths', () => {
  for (const n of ['drive-scsi0.img.fidx', 'root.pxar.didx', 'index.json.blob', 'qemu-server.conf.blob']) assert.equal(checkArchiveName(n), n);
  for (const n of ['../x.fidx', 'a/b.fidx', '/etc/x.blob', '.fidx', 'x.img', 'x.fidx.tmp', 'x.tmp_fidx', '']) {
    assert.throws(() => checkArchiveName(n), INVALID, n);
  }
});

test('normalizeArchiveName maps bare client names to stored ones', () => {
  assert.equal(normalizeArchiveName('drive-scsi0.img'), 'drive-scsi0.img.fidx');
  assert.equal(normalizeArchiveName('drive-scsi0.img.fidx'), 'drive-scsi0.img.fidx');
  for (const ext of ['pxar', 'mpxar', 'ppxar', 'pcat1']) assert.equal(normalizeArchiveName(`x.${ext}`), `x.${ext}.didx`);
  assert.equal(normalizeArchiveName('root.pxar.didx'), 'root.pxar.didx');
  for (const ext of ['conf', 'json', 'key', 'log']) assert.equal(normalizeArchiveName(`x.${ext}`), `x.${ext}.blob`);
  assert.equal(normalizeArchiveName('index.json.blob'), 'index.json.blob');
});
