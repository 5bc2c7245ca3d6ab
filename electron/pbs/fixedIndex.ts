// Fixed index (*.img.fidx): one digest per fixed-size chunk of a disk image.
// Upstream: pbs-datastore/src/fixed_index.rs, docs/file-formats.rst.
//
// Header, one 4096-byte page, little-endian:
//   0  magic[8]  8 uuid[16]  24 ctime i64  32 index_csum[32] = SHA256(digest_0 || … || digest_n-1)
//   64 size u64 (image bytes)  72 chunk_size u64 (power of two)  80 reserved[4016] (zero)
// Then n = ceil(size / chunk_size) digests of 32 bytes. Chunk i covers
// [i*chunk_size, min((i+1)*chunk_size, size)); only the last one may be short.
import { createHash, randomBytes } from 'node:crypto';
import { RestoreError } from '../../shared/errors.ts';
import { FIXED_INDEX_MAGIC, magicEquals } from './magic.ts';
import { toHex } from './hex.ts';
import { MAX_CHUNK_SIZE, MIN_CHUNK_SIZE } from '../../shared/limits.ts';

export const INDEX_HEADER_SIZE = 4096;
export const DIGEST_SIZE = 32;

export interface FixedIndex {
  uuid: Buffer;
  ctime: number;
  /** Header's index_csum; clients trust the manifest, so compare against `csum` instead. */
  headerCsum: Buffer;
  /** SHA-256 of the digest array, recomputed (what the manifest's csum must equal). */
  csum: Buffer;
  size: number;
  chunkSize: number;
  count: number;
  /** The raw digest array (count × 32 bytes). */
  digests: Buffer;
}

function fail(code: 'INDEX_BAD_MAGIC' | 'INDEX_TRUNCATED' | 'INDEX_INCONSISTENT', name: string, what: string): never {
  throw new RestoreError(code, `fixed index ${name}: ${what}`);
}

export function isPowerOfTwo(n: number): boolean {
  // Not `n & (n - 1)`: JS bitwise operators truncate to 32 bits, so 3 * 2**32 would pass.
  if (!Number.isSafeInteger(n) || n <= 0) return false;
  const b = BigInt(n);
  return (b & (b - 1n)) === 0n;
}

/** Parse and validate a whole .fidx file; `name` is used in every error message. */
export function parseFixedIndex(buf: Buffer, name = 'index'): FixedIndex {
  if (buf.length < INDEX_HEADER_SIZE) fail('INDEX_TRUNCATED', name, `file is ${buf.length} bytes, shorter than the ${INDEX_HEADER_SIZE}-byte header`);
  if (!magicEquals(buf, FIXED_INDEX_MAGIC)) fail('INDEX_BAD_MAGIC', name, `got unknown magic number ${toHex(buf.subarray(0, 8))}`);
  const size = Number(buf.readBigUInt64LE(64));
  const chunkSize = Number(buf.readBigUInt64LE(72));
  if (!Number.isSafeInteger(size) || size <= 0) fail('INDEX_INCONSISTENT', name, `invalid image size ${buf.readBigUInt64LE(64)}`);
  // Checked before anything is computed or allocated from it (PBS writes 4 MiB; 64 KiB … 16 MiB allowed).
  if (!isPowerOfTwo(chunkSize) || chunkSize < MIN_CHUNK_SIZE || chunkSize > MAX_CHUNK_SIZE) {
    throw new RestoreError('INDEX_INVALID', `fixed index ${name}: chunk size ${buf.readBigUInt64LE(72)} is not a power of two from ${MIN_CHUNK_SIZE} to ${MAX_CHUNK_SIZE}`);
  }
  const count = Math.ceil(size / chunkSize);
  const expectedLen = INDEX_HEADER_SIZE + count * DIGEST_SIZE;
  if (buf.length !== expectedLen) {
    const code = buf.length < expectedLen ? 'INDEX_TRUNCATED' : 'INDEX_INCONSISTENT';
    fail(code, name, `got unexpected file size (${buf.length} != ${expectedLen} for ${count} chunks of ${chunkSize} bytes covering ${size} bytes)`);
  }
  const digests = buf.subarray(INDEX_HEADER_SIZE);
  return {
    uuid: buf.subarray(8, 24),
    ctime: Number(buf.readBigInt64LE(24)),
    headerCsum: buf.subarray(32, 64),
    csum: createHash('sha256').update(digests).digest(),
    size,
    chunkSize,
    count,
    digests,
  };
}

export function digestAt(index: FixedIndex, i: number): Buffer {
  return index.digests.subarray(i * DIGEST_SIZE, (i + 1) * DIGEST_SIZE);
}

/** Byte range of chunk i in the image. */
export function chunkRange(index: Pick<FixedIndex, 'size' | 'chunkSize'>, i: number): { start: number; end: number } {
  const start = i * index.chunkSize;
  return { start, end: Math.min(start + index.chunkSize, index.size) };
}

/** Serialise a fixed index; the header checksum is computed from the digests. */
export function writeFixedIndex(opts: { size: number; chunkSize: number; digests: Uint8Array[]; ctime?: number; uuid?: Uint8Array }): Buffer {
  const { size, chunkSize, digests } = opts;
  if (!isPowerOfTwo(chunkSize)) throw new RangeError(`chunk size ${chunkSize} is not a power of two`);
  if (size <= 0 || digests.length !== Math.ceil(size / chunkSize)) {
    throw new RangeError(`${digests.length} digests do not cover ${size} bytes in chunks of ${chunkSize}`);
  }
  const out = Buffer.alloc(INDEX_HEADER_SIZE + digests.length * DIGEST_SIZE);
  digests.forEach((d, i) => out.set(d, INDEX_HEADER_SIZE + i * DIGEST_SIZE));
  out.set(FIXED_INDEX_MAGIC, 0);
  out.set(opts.uuid ?? randomBytes(16), 8);
  out.writeBigInt64LE(BigInt(opts.ctime ?? Math.floor(Date.now() / 1000)), 24);
  out.set(createHash('sha256').update(out.subarray(INDEX_HEADER_SIZE)).digest(), 32);
  out.writeBigUInt64LE(BigInt(size), 64);
  out.writeBigUInt64LE(BigInt(chunkSize), 72);
  return out;
}
