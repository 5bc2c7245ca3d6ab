import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import {
  chunkRange,
  digestAt,
  INDEX_HEADER_SIZE,
  isPowerOfTwo,
  parseFixedIndex,
  writeFixedIndex,
} from '../../electron/pbs/fixedIndex.ts';
import { DYNAMIC_INDEX_MAGIC } from '../../electron/pbs/magic.ts';
import { hasCode } from './helpers.ts';

const CS = 64 * 1024;
const SIZE = 2 * CS + 100; // three chunks, the last one 100 bytes
const digests = [randomBytes(32), randomBytes(32), randomBytes(32)];
const uuid = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
const fidx = writeFixedIndex({ size: SIZE, chunkSize: CS, digests, ctime: 1593179765, uuid });

test('writeFixedIndex lays out the header as fixed_index.rs does', () => {
  assert.equal(fidx.length, INDEX_HEADER_SIZE + 3 * 32);
  assert.equal(fidx.subarray(0, 8).toString('hex'), '2f7f41ed91fd0fcd');
  assert.deepEqual(fidx.subarray(8, 24), uuid);
  assert.equal(fidx.readBigInt64LE(24), 1593179765n);
  assert.deepEqual(fidx.subarray(32, 64), createHash('sha256').update(Buffer.concat(digests)).digest());
  assert.equal(fidx.readBigUInt64LE(64), BigInt(SIZE));
  assert.equal(fidx.readBigUInt64LE(72), BigInt(CS));
  assert.ok(fidx.subarray(80, INDEX_HEADER_SIZE).every((b) => b === 0), 'reserved area is zero');
  assert.deepEqual(fidx.subarray(INDEX_HEADER_SIZE), Buffer.concat(digests));
});

test('round trip with a short last chunk; csum equals headerCsum', () => {
  const ix = parseFixedIndex(fidx, 'drive-scsi0.img.fidx');
  assert.equal(ix.size, SIZE);
  assert.equal(ix.chunkSize, CS);
  assert.equal(ix.count, 3);
  assert.equal(ix.ctime, 1593179765);
  assert.deepEqual(ix.uuid, uuid);
  assert.deepEqual(ix.csum, createHash('sha256').update(Buffer.concat(digests)).digest());
  assert.deepEqual(ix.csum, ix.headerCsum);
  digests.forEach((d, i) => assert.deepEqual(digestAt(ix, i), d));
  assert.deepEqual(chunkRange(ix, 0), { start: 0, end: CS });
  assert.deepEqual(chunkRange(ix, 1), { start: CS, end: 2 * CS });
  assert.deepEqual(chunkRange(ix, 2), { start: 2 * CS, end: SIZE });
});

test('an exact multiple of the chunk size has no short chunk', () => {
  const ix = parseFixedIndex(writeFixedIndex({ size: 4 * CS, chunkSize: CS, digests: [1, 2, 3, 4].map((b) => Buffer.alloc(32, b)) }));
  assert.equal(ix.count, 4);
  assert.deepEqual(chunkRange(ix, 3), { start: 3 * CS, end: 4 * CS });
});

test('truncated: shorter than the header, or missing digest bytes', () => {
  assert.throws(() => parseFixedIndex(fidx.subarray(0, 4095)), hasCode('INDEX_TRUNCATED'));
  assert.throws(() => parseFixedIndex(Buffer.alloc(0)), hasCode('INDEX_TRUNCATED'));
  assert.throws(() => parseFixedIndex(fidx.subarray(0, fidx.length - 1)), hasCode('INDEX_TRUNCATED'));
  assert.throws(() => parseFixedIndex(fidx.subarray(0, INDEX_HEADER_SIZE)), hasCode('INDEX_TRUNCATED'));
});

test('bad magic, including a dynamic index magic', () => {
  const bad = Buffer.from(fidx);
  bad[0]! ^= 0xff;
  assert.throws(() => parseFixedIndex(bad), hasCode('INDEX_BAD_MAGIC'));
  const didxMagic = Buffer.from(fidx);
  didxMagic.set(DYNAMIC_INDEX_MAGIC, 0);
  assert.throws(() => parseFixedIndex(didxMagic), hasCode('INDEX_BAD_MAGIC'));
});

function withHeader(offset: number, value: bigint): Buffer {
  const b = Buffer.from(fidx);
  b.writeBigUInt64LE(value, offset);
  return b;
}

test('a chunk size that is not a power of two from 64 KiB to 16 MiB: INDEX_INVALID, naming the value', () => {
  for (const cs of [0n, 3n, 4096n, 32768n, 65535n, 65537n, 32n * 1024n * 1024n, 3n * 2n ** 32n, 2n ** 32n + 2n ** 31n, 2n ** 63n]) {
    assert.throws(() => parseFixedIndex(withHeader(72, cs)), (e: unknown) => {
      hasCode('INDEX_INVALID')(e);
      assert.match((e as Error).message, new RegExp(`chunk size ${cs} `));
      return true;
    }, `chunk size ${cs}`);
  }
  const top = writeFixedIndex({ size: 1000, chunkSize: 16 * 1024 * 1024, digests: [Buffer.alloc(32, 1)] });
  assert.equal(parseFixedIndex(top).chunkSize, 16 * 1024 * 1024, 'the bound itself passes');
});

test('a huge power-of-two chunk size with a consistent file is refused before anything is sized from it', () => {
  // One digest covering 1000 bytes: the file length fits, only the chunk size (2^32, 2^40) is absurd;
  // accepted, a zero-chunk digest alone would allocate that many bytes.
  for (const cs of [2 ** 32, 2 ** 40]) {
    const one = writeFixedIndex({ size: 1000, chunkSize: cs, digests: [Buffer.alloc(32, 1)] });
    assert.throws(() => parseFixedIndex(one), hasCode('INDEX_INVALID'), `chunk size ${cs}`);
  }
});

test('zero or absurd image size: INDEX_INCONSISTENT', () => {
  assert.throws(() => parseFixedIndex(withHeader(64, 0n)), hasCode('INDEX_INCONSISTENT'));
  assert.throws(() => parseFixedIndex(withHeader(64, 2n ** 63n)), hasCode('INDEX_INCONSISTENT'));
});

test('extra bytes after the digests: INDEX_INCONSISTENT', () => {
  assert.throws(() => parseFixedIndex(Buffer.concat([fidx, Buffer.alloc(32)])), hasCode('INDEX_INCONSISTENT'));
  assert.throws(() => parseFixedIndex(Buffer.concat([fidx, Buffer.alloc(1)])), hasCode('INDEX_INCONSISTENT'));
  // a header whose size claims fewer chunks than stored
  assert.throws(() => parseFixedIndex(withHeader(64, BigInt(CS))), hasCode('INDEX_INCONSISTENT'));
});

test('isPowerOfTwo is exact beyond 32 bits', () => {
  assert.equal(isPowerOfTwo(1), true);
  assert.equal(isPowerOfTwo(4 * 1024 * 1024), true);
  assert.equal(isPowerOfTwo(2 ** 32), true);
  assert.equal(isPowerOfTwo(2 ** 40), true);
  assert.equal(isPowerOfTwo(3 * 2 ** 32), false);
  assert.equal(isPowerOfTwo(2 ** 32 + 2 ** 31), false);
  assert.equal(isPowerOfTwo(0), false);
  assert.equal(isPowerOfTwo(-4), false);
  assert.equal(isPowerOfTwo(1.5), false);
  assert.equal(isPowerOfTwo(2 ** 53), false, 'not a safe integer');
});

test('writeFixedIndex refuses inconsistent input', () => {
  assert.throws(() => writeFixedIndex({ size: SIZE, chunkSize: CS, digests: digests.slice(0, 2) }), RangeError);
  assert.throws(() => writeFixedIndex({ size: SIZE, chunkSize: CS + 1, digests }), RangeError);
  assert.throws(() => writeFixedIndex({ size: 0, chunkSize: CS, digests: [] }), RangeError);
});
