import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { dynamicChunkAt, dynamicChunkRange, dynamicDigestAt, parseDynamicIndex, writeDynamicIndex } from '../../electron/pbs/dynamicIndex.ts';
import { INDEX_HEADER_SIZE } from '../../electron/pbs/fixedIndex.ts';
import { FIXED_INDEX_MAGIC } from '../../electron/pbs/magic.ts';
import { hasCode } from './helpers.ts';

const chunks = [
  { end: 100, digest: randomBytes(32) },
  { end: 250, digest: randomBytes(32) },
  { end: 5_000_000_000, digest: randomBytes(32) }, // beyond 32 bits
];
const didx = writeDynamicIndex(chunks, 1752502802);

test('writeDynamicIndex lays out header and 40-byte entries as dynamic_index.rs does', () => {
  assert.equal(didx.length, INDEX_HEADER_SIZE + 3 * 40);
  assert.equal(didx.subarray(0, 8).toString('hex'), '1c914ea519bab3cd');
  assert.equal(didx.readBigInt64LE(24), 1752502802n);
  chunks.forEach((c, i) => {
    assert.equal(didx.readBigUInt64LE(INDEX_HEADER_SIZE + i * 40), BigInt(c.end));
    assert.deepEqual(didx.subarray(INDEX_HEADER_SIZE + i * 40 + 8, INDEX_HEADER_SIZE + (i + 1) * 40), c.digest);
  });
  assert.ok(didx.subarray(64, INDEX_HEADER_SIZE).every((b) => b === 0), 'reserved area is zero');
});

test('round trip: size is the last end, csum = SHA256(entries) = headerCsum', () => {
  const ix = parseDynamicIndex(didx, 'root.pxar.didx');
  assert.equal(ix.count, 3);
  assert.equal(ix.size, 5_000_000_000);
  assert.equal(ix.ctime, 1752502802);
  assert.deepEqual(ix.entries, didx.subarray(INDEX_HEADER_SIZE));
  assert.deepEqual(ix.csum, createHash('sha256').update(didx.subarray(INDEX_HEADER_SIZE)).digest());
  assert.deepEqual(ix.csum, ix.headerCsum);
});

test('an index with no entries has size 0', () => {
  const ix = parseDynamicIndex(writeDynamicIndex([]));
  assert.equal(ix.count, 0);
  assert.equal(ix.size, 0);
});

test('truncated: shorter than the header, or a partial entry', () => {
  assert.throws(() => parseDynamicIndex(didx.subarray(0, 100)), hasCode('INDEX_TRUNCATED'));
  assert.throws(() => parseDynamicIndex(didx.subarray(0, didx.length - 1)), hasCode('INDEX_TRUNCATED'));
  assert.throws(() => parseDynamicIndex(didx.subarray(0, INDEX_HEADER_SIZE + 39)), hasCode('INDEX_TRUNCATED'));
});

test('bad magic, including a fixed index magic', () => {
  const b = Buffer.from(didx);
  b.set(FIXED_INDEX_MAGIC, 0);
  assert.throws(() => parseDynamicIndex(b), hasCode('INDEX_BAD_MAGIC'));
});

test('end offsets going backwards: INDEX_INCONSISTENT', () => {
  const b = Buffer.from(didx);
  b.writeBigUInt64LE(50n, INDEX_HEADER_SIZE + 40); // second chunk ends before the first
  assert.throws(() => parseDynamicIndex(b), hasCode('INDEX_INCONSISTENT'));
});

test('dynamicChunkAt finds the chunk of every offset by binary search of the end offsets', () => {
  const ends = [100, 250, 250, 4096, 5_000_000_000];
  const ix = parseDynamicIndex(writeDynamicIndex(ends.map((end) => ({ end, digest: randomBytes(32) }))));
  const expect: Array<[number, number]> = [[0, 0], [99, 0], [100, 1], [249, 1], [250, 3], [4095, 3], [4096, 4], [4_999_999_999, 4]];
  for (const [offset, chunk] of expect) assert.equal(dynamicChunkAt(ix, offset), chunk, `offset ${offset}`);
  assert.deepEqual(dynamicChunkRange(ix, 0), { start: 0, end: 100 });
  assert.deepEqual(dynamicChunkRange(ix, 4), { start: 4096, end: 5_000_000_000 });
  assert.deepEqual(dynamicDigestAt(ix, 4), ix.entries.subarray(4 * 40 + 8, 5 * 40));
});
