// Dynamic index (*.didx): variable-size chunks of a stream (pxar archives, catalogs).
// Upstream: pbs-datastore/src/dynamic_index.rs.
//
// Header, 4096 bytes LE: 0 magic[8]  8 uuid[16]  24 ctime i64
//   32 index_csum[32] = SHA256(raw entry array)  64 reserved[4032]
// Entries of 40 bytes: end u64 LE (exclusive end offset of the chunk in the stream) || digest[32].
// Restore Console lists .didx archives; it restores only images.
import { createHash, randomBytes } from 'node:crypto';
import { RestoreError } from '../../shared/errors.ts';
import { DYNAMIC_INDEX_MAGIC, magicEquals } from './magic.ts';
import { toHex } from './hex.ts';
import { INDEX_HEADER_SIZE } from './fixedIndex.ts';

const ENTRY_SIZE = 40;

export interface DynamicIndex {
  ctime: number;
  headerCsum: Buffer;
  csum: Buffer;
  /** Archive size: the end offset of the last chunk. */
  size: number;
  count: number;
  entries: Buffer;
}

export function parseDynamicIndex(buf: Buffer, name = 'index'): DynamicIndex {
  const fail = (code: 'INDEX_BAD_MAGIC' | 'INDEX_TRUNCATED' | 'INDEX_INCONSISTENT', what: string): never => {
    throw new RestoreError(code, `dynamic index ${name}: ${what}`);
  };
  if (buf.length < INDEX_HEADER_SIZE) fail('INDEX_TRUNCATED', `file is ${buf.length} bytes, shorter than the ${INDEX_HEADER_SIZE}-byte header`);
  if (!magicEquals(buf, DYNAMIC_INDEX_MAGIC)) fail('INDEX_BAD_MAGIC', `got unknown magic number ${toHex(buf.subarray(0, 8))}`);
  const entries = buf.subarray(INDEX_HEADER_SIZE);
  if (entries.length % ENTRY_SIZE !== 0) fail('INDEX_TRUNCATED', `entry area of ${entries.length} bytes is not a multiple of ${ENTRY_SIZE}`);
  const count = entries.length / ENTRY_SIZE;
  let prev = 0n;
  for (let i = 0; i < count; i++) {
    const end = entries.readBigUInt64LE(i * ENTRY_SIZE);
    if (end < prev) fail('INDEX_INCONSISTENT', `entry ${i} ends at ${end}, before the previous end ${prev}`);
    prev = end;
  }
  return {
    ctime: Number(buf.readBigInt64LE(24)),
    headerCsum: buf.subarray(32, 64),
    csum: createHash('sha256').update(entries).digest(),
    size: Number(prev),
    count,
    entries,
  };
}

export function writeDynamicIndex(chunks: Array<{ end: number; digest: Uint8Array }>, ctime = Math.floor(Date.now() / 1000)): Buffer {
  const out = Buffer.alloc(INDEX_HEADER_SIZE + chunks.length * ENTRY_SIZE);
  chunks.forEach((c, i) => {
    out.writeBigUInt64LE(BigInt(c.end), INDEX_HEADER_SIZE + i * ENTRY_SIZE);
    out.set(c.digest, INDEX_HEADER_SIZE + i * ENTRY_SIZE + 8);
  });
  out.set(DYNAMIC_INDEX_MAGIC, 0);
  out.set(randomBytes(16), 8);
  out.writeBigInt64LE(BigInt(ctime), 24);
  out.set(createHash('sha256').update(out.subarray(INDEX_HEADER_SIZE)).digest(), 32);
  return out;
}

/** Exclusive end offset of chunk i in the stream. */
export function dynamicChunkEnd(index: Pick<DynamicIndex, 'entries'>, i: number): number {
  return Number(index.entries.readBigUInt64LE(i * ENTRY_SIZE));
}

/** Byte range of chunk i in the stream. */
export function dynamicChunkRange(index: Pick<DynamicIndex, 'entries'>, i: number): { start: number; end: number } {
  return { start: i === 0 ? 0 : dynamicChunkEnd(index, i - 1), end: dynamicChunkEnd(index, i) };
}

export function dynamicDigestAt(index: Pick<DynamicIndex, 'entries'>, i: number): Buffer {
  return index.entries.subarray(i * ENTRY_SIZE + 8, (i + 1) * ENTRY_SIZE);
}

/**
 * The chunk holding byte `offset` (0 <= offset < size): a binary search of the end offsets, as
 * upstream's DynamicIndexReader::binary_search. Empty chunks (equal ends) are never returned.
 */
export function dynamicChunkAt(index: Pick<DynamicIndex, 'entries' | 'count'>, offset: number): number {
  let lo = 0;
  let hi = index.count - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (dynamicChunkEnd(index, mid) <= offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
