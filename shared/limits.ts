// The limits every shell and the engine agree on: concurrency (what a job starts with, and the
// range a person, slider, --concurrency, settings, or the auto-tuner may set), and the sizes a
// backup's files may have before they are read (below). Pure code.
import { RestoreError } from './errors.ts';

/**
 * Chunks in flight when nothing else is said: proxmox-backup-qemu's MAX_BUFFERED_FUTURES (the
 * default of PBS_RESTORE_FETCH_CONCURRENCY), which PVE restores with. Auto starts here too.
 */
export const DEFAULT_CONCURRENCY = 16;

export const MIN_CONCURRENCY = 1;

/**
 * The most chunks in flight a job may have. Past the knee of upstream's measurements (gains stop
 * at 12–20) with room for high-latency links; it also bounds memory at about
 * (64 + write slots) × 4 MiB, and a PBS reader session's HTTP/2 streams at 64.
 */
export const MAX_CONCURRENCY = 64;

/** A concurrency as the engine uses it: rounded and clamped to MIN..MAX. */
export function clampConcurrency(n: number): number {
  if (!Number.isFinite(n)) throw new RangeError(`concurrency must be a number, got ${n}`);
  return Math.min(MAX_CONCURRENCY, Math.max(MIN_CONCURRENCY, Math.round(n)));
}

/** True for the integers a person may ask for (1–64). */
export function isConcurrencyLimit(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= MIN_CONCURRENCY && n <= MAX_CONCURRENCY;
}

// How large the files of a backup may be before a byte of them is trusted, so a damaged or hostile
// datastore or server cannot make a reader allocate or inflate without bound. Every bound sits
// well above what PBS writes:
// - chunks: PBS chunks hold at most 16 MiB (fixed indexes use 4 MiB; the index check allows
//   64 KiB … 16 MiB), so a chunk's blob is at most its header plus zstd's worst case for that size;
// - manifests and guest configurations: PBS writes a few KiB; 16 MiB stored and decoded;
// - indexes: a fixed index is one 4096-byte header and 32 bytes per chunk of at least 64 KiB, so
//   its size follows from the image size the manifest records; dynamic indexes (40 bytes per
//   chunk, chunks of 64 KiB and more in practice) are allowed one entry per 4 KiB of archive.

export const KiB = 1024;
export const MiB = 1024 * KiB;

export const MIN_CHUNK_SIZE = 64 * KiB;
export const MAX_CHUNK_SIZE = 16 * MiB;
/** index.json.blob, stored and decoded. */
export const MAX_MANIFEST_BYTES = 16 * MiB;
/** qemu-server.conf.blob / pct.conf.blob, stored and decoded. */
export const MAX_CONFIG_BYTES = 16 * MiB;
/** The largest encrypted blob header (MAGIC, CRC, IV, TAG). */
const BLOB_HEADER_MAX = 44;

/** ZSTD_COMPRESSBOUND: the most a zstd frame of `n` input bytes can take. */
export function zstdCompressBound(n: number): number {
  return n + (n >>> 8) + (n < 128 * KiB ? (128 * KiB - n) >>> 11 : 0);
}

/** The largest valid stored blob of a chunk of an index with this chunk size. */
export function maxChunkBlobBytes(chunkSize: number): number {
  return BLOB_HEADER_MAX + zstdCompressBound(chunkSize);
}

/** The largest index file an archive of `size` bytes (the manifest's size) can have. */
export function maxIndexBytes(name: string, size: number): number {
  const header = 4096;
  if (name.endsWith('.fidx')) return header + 32 * Math.ceil(size / MIN_CHUNK_SIZE);
  return header + 40 * (Math.ceil(size / (4 * KiB)) + 1);
}

/** The error for a file found larger than its bound, before it is read. */
export function tooLarge(what: string, size: number, max: number, kind: 'blob' | 'index' | 'chunk'): RestoreError {
  const code = kind === 'index' ? 'INDEX_INVALID' : kind === 'chunk' ? 'CHUNK_TOO_LARGE' : 'BLOB_TOO_LARGE';
  return new RestoreError(code, `${what} is ${size} bytes, more than the ${max} bytes it can validly have`);
}

/**
 * Chunks in flight over every running job (the machine-wide budget, docs/jobs.md) when the settings
 * do not say: what one job may use, so a job alone runs as it always did.
 */
export const DEFAULT_CHUNK_BUDGET = 64;

/** The highest budget a setting may ask for: memory is about budget × (chunk size + decode). */
export const MAX_CHUNK_BUDGET = 256;
