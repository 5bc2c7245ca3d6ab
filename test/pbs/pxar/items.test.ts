import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFilename, parseHardlink, parsePayloadRef, parseSymlink } from '../../../electron/pbs/pxar/entryItems.ts';
import { parseHeader } from '../../../electron/pbs/pxar/header.ts';
import { PXAR_FILENAME, PXAR_SYMLINK } from '../../../electron/pbs/pxar/magic.ts';
import { parseStatV1 } from '../../../electron/pbs/pxar/stat.ts';
import { isRestoreError } from '../../../shared/errors.ts';

const invalid = (e: unknown): boolean => isRestoreError(e, 'PXAR_INVALID');
const z = (s: string): Buffer => Buffer.from(`${s}\0`, 'utf8');

test('file names that could leave their directory, or are not zero-terminated, are refused', () => {
  assert.deepEqual(Buffer.from(parseFilename(z('hosts'), 0)), Buffer.from('hosts'));
  for (const bad of [z(''), z('.'), z('..'), z('a/b'), z('/'), Buffer.from('abc'), Buffer.from('a\0b\0')]) {
    assert.throws(() => parseFilename(bad, 0), invalid, JSON.stringify(bad.toString()));
  }
});

test('symlink, hardlink and payload reference contents', () => {
  assert.equal(parseSymlink(z('../usr/bin'), 0), '../usr/bin');
  const hl = Buffer.concat([Buffer.from([0x10, 1, 0, 0, 0, 0, 0, 0]), z('var/big.bin')]);
  assert.deepEqual(parseHardlink(hl, 0), { offset: 0x110, target: 'var/big.bin' });
  assert.throws(() => parseHardlink(Buffer.alloc(8), 0), invalid);
  const ref = Buffer.alloc(16);
  ref.writeBigUInt64LE(1n << 60n, 0);
  assert.throws(() => parsePayloadRef(ref, 0), invalid, 'offsets past 2^53 are refused, not rounded');
});

test('ENTRY_V1 (old archives) keeps mtime in nanoseconds', () => {
  const v1 = Buffer.alloc(32);
  v1.writeBigUInt64LE(0o100600n, 0);
  v1.writeUInt32LE(1000, 16);
  v1.writeUInt32LE(100, 20);
  v1.writeBigUInt64LE(1_700_000_000_123_456_789n, 24);
  assert.deepEqual(parseStatV1(v1, 0), { mode: 0o100600, flags: 0n, uid: 1000, gid: 100, mtimeSecs: 1_700_000_000, mtimeNanos: 123_456_789 });
});

test('item headers: size below the header or above the type limit is refused', () => {
  const h = (htype: bigint, full: bigint): Buffer => {
    const b = Buffer.alloc(16);
    b.writeBigUInt64LE(htype, 0);
    b.writeBigUInt64LE(full, 8);
    return b;
  };
  assert.deepEqual(parseHeader(h(PXAR_FILENAME, 18n), 0, 0), { htype: PXAR_FILENAME, fullSize: 18, contentSize: 2 });
  assert.throws(() => parseHeader(h(PXAR_FILENAME, 15n), 0, 0), invalid);
  assert.throws(() => parseHeader(h(PXAR_FILENAME, 16n + 4098n), 0, 0), invalid);
  assert.throws(() => parseHeader(h(PXAR_SYMLINK, 16n + 4098n), 0, 0), invalid);
  assert.throws(() => parseHeader(h(PXAR_SYMLINK, 1n << 63n), 0, 0), invalid);
  assert.throws(() => parseHeader(Buffer.alloc(10), 0, 0), invalid);
});
