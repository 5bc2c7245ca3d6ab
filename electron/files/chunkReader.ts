// Random access to the bytes of an archive through its index, fetching only the chunks a read
// touches: what lets a file browser list /etc of a large archive without restoring it. Chunks are
// decoded and verified as the restore engine does (CRC, decryption, digest, length: dataBlob.ts
// through engine/decoder.ts), kept in an LRU cache bounded in count and bytes, and fetched once
// however many reads want them at the same time. All-zero chunks of a fixed index are served
// without fetching, as restores skip them; the cache is keyed by digest, so a chunk repeated in
// the index is fetched once. Transient source errors are retried like the engine's.
import { RestoreError, toRestoreError, type ChunkLocation } from '../../shared/errors.ts';
import type { CryptConfig } from '../pbs/cryptConfig.ts';
import type { CryptMode } from '../pbs/dataBlob.ts';
import { dynamicChunkAt, dynamicChunkRange, dynamicDigestAt, type DynamicIndex } from '../pbs/dynamicIndex.ts';
import { chunkRange, digestAt, type FixedIndex } from '../pbs/fixedIndex.ts';
import { toHex } from '../pbs/hex.ts';
import type { ChunkSource } from '../source/chunkSource.ts';
import { inlineDecoder, type ChunkDecoder } from '../engine/decoder.ts';
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from '../source/retry.ts';
import type { ByteReader } from './fileTree.ts';
import { maxChunkBlobBytes } from '../../shared/limits.ts';

/** The chunks of an archive, whichever kind of index lists them. */
export interface ChunkIndex {
  readonly size: number;
  readonly count: number;
  /** The chunk holding byte `offset` (0 <= offset < size). */
  chunkAt(offset: number): number;
  range(i: number): { start: number; end: number };
  digest(i: number): Uint8Array;
}

export function fixedChunkIndex(index: FixedIndex): ChunkIndex {
  return {
    size: index.size,
    count: index.count,
    chunkAt: (offset) => Math.floor(offset / index.chunkSize),
    range: (i) => chunkRange(index, i),
    digest: (i) => digestAt(index, i),
  };
}

export function dynamicChunkIndex(index: DynamicIndex): ChunkIndex {
  return {
    size: index.size,
    count: index.count,
    chunkAt: (offset) => dynamicChunkAt(index, offset),
    range: (i) => dynamicChunkRange(index, i),
    digest: (i) => dynamicDigestAt(index, i),
  };
}

export interface ChunkReaderOptions {
  /** The archive's name, for messages. */
  archive?: string;
  cryptMode: CryptMode;
  crypt?: CryptConfig;
  /** Fixed indexes: the (keyed) digest of an all-zero chunk, never fetched. */
  zeroDigest?: Uint8Array;
  /** Decoded chunks kept (default 64) … */
  maxCachedChunks?: number;
  /** … and their bytes at most (default 64 MiB). */
  maxCachedBytes?: number;
  /** Chunks one read fetches at once (default 4). */
  concurrency?: number;
  decoder?: ChunkDecoder;
  retry?: RetryPolicy;
}

interface Pending {
  promise: Promise<Buffer>;
  controller: AbortController;
  waiters: number;
}

export class ChunkReader implements ByteReader {
  readonly size: number;
  readonly archive: string;
  /** Chunks fetched from the source so far (cache hits, shared fetches, zero chunks and retries not counted). */
  chunksFetched = 0;
  /** Stored (encoded) bytes those chunks had. */
  bytesFetched = 0;
  private readonly index: ChunkIndex;
  private readonly source: ChunkSource;
  private readonly opts: ChunkReaderOptions;
  private readonly cache = new Map<string, Buffer>();
  private cachedBytes = 0;
  private readonly pending = new Map<string, Pending>();
  private zeroChunk?: Buffer;

  constructor(index: ChunkIndex, source: ChunkSource, opts: ChunkReaderOptions) {
    this.index = index;
    this.source = source;
    this.opts = opts;
    this.size = index.size;
    this.archive = opts.archive ?? 'archive';
  }

  async read(offset: number, length: number, signal?: AbortSignal): Promise<Uint8Array> {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
      throw new RangeError(`invalid read of ${length} bytes at ${offset}`);
    }
    const end = Math.min(offset + length, this.size);
    if (offset >= end) return new Uint8Array(0);
    const first = this.index.chunkAt(offset);
    const last = this.index.chunkAt(end - 1);
    const out = new Uint8Array(end - offset);
    let next = first;
    const worker = async (): Promise<void> => {
      while (next <= last) {
        const i = next++;
        const data = await this.chunk(i, signal);
        const r = this.index.range(i);
        const from = Math.max(offset, r.start);
        const to = Math.min(end, r.end);
        // Copied out: the cached chunk must stay intact whatever the caller does with the result.
        out.set(data.subarray(from - r.start, to - r.start), from - offset);
      }
    };
    const workers = Math.min(this.opts.concurrency ?? 4, last - first + 1);
    await Promise.all(Array.from({ length: workers }, worker));
    return out;
  }

  /**
   * The decoded bytes of chunk i: from the cache, a fetch already running, or a new fetch. Both
   * are keyed by digest, so a chunk repeated in the index is fetched once.
   */
  private async chunk(i: number, signal?: AbortSignal): Promise<Buffer> {
    signal?.throwIfAborted();
    const digest = this.index.digest(i);
    const { start, end } = this.index.range(i);
    if (this.opts.zeroDigest && Buffer.from(digest).equals(this.opts.zeroDigest)) {
      if (!this.zeroChunk || this.zeroChunk.length < end - start) this.zeroChunk = Buffer.alloc(end - start);
      return this.zeroChunk.subarray(0, end - start);
    }
    const key = toHex(digest);
    const cached = this.cache.get(key);
    let data: Buffer;
    if (cached) {
      this.cache.delete(key);
      this.cache.set(key, cached);
      data = cached;
    } else {
      let p = this.pending.get(key);
      if (!p) {
        const controller = new AbortController();
        const entry: Pending = { controller, waiters: 0, promise: this.fetch(i, digest, end - start, controller.signal) };
        p = entry;
        this.pending.set(key, entry);
        const forget = (): void => {
          if (this.pending.get(key) === entry) this.pending.delete(key);
        };
        entry.promise.then((d) => this.remember(key, d), () => {}).finally(forget);
      }
      data = await this.wait(key, p, signal);
    }
    // Equal digests with unequal ranges: the index contradicts itself.
    if (data.length !== end - start) {
      throw new RestoreError('CHUNK_SIZE_MISMATCH', `chunk ${i} of ${this.archive} is ${data.length} bytes, its index range ${end - start}`, {
        chunk: { index: i, offset: start, digest: key },
      });
    }
    return data;
  }

  /** Waits for a shared fetch; the fetch is aborted only when every waiter gave up. */
  private wait(key: string, p: Pending, signal?: AbortSignal): Promise<Buffer> {
    p.waiters++;
    if (!signal) return p.promise;
    return new Promise<Buffer>((resolve, reject) => {
      const onAbort = (): void => {
        if (--p.waiters === 0) {
          // Nobody wants it any more: stop it, and let a later read start afresh.
          p.controller.abort(signal.reason);
          if (this.pending.get(key) === p) this.pending.delete(key);
        }
        reject(toRestoreError(signal.reason ?? new DOMException('aborted', 'AbortError'), `reading ${this.archive}`));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      p.promise.then(
        (v) => {
          signal.removeEventListener('abort', onAbort);
          resolve(v);
        },
        (e) => {
          signal.removeEventListener('abort', onAbort);
          reject(e);
        },
      );
    });
  }

  private async fetch(i: number, digest: Uint8Array, size: number, signal: AbortSignal): Promise<Buffer> {
    const location: ChunkLocation = { index: i, offset: this.index.range(i).start, digest: toHex(digest) };
    try {
      this.chunksFetched++;
      // No chunk of `size` bytes has a larger valid blob: a bigger one is refused before it is read whole.
      const raw = await withRetry(() => this.source.readChunk(digest, signal, maxChunkBlobBytes(size)), signal, this.opts.retry ?? DEFAULT_RETRY);
      this.bytesFetched += raw.length;
      const decoder = this.opts.decoder ?? inlineDecoder;
      return await decoder.decode(raw, {
        ...(this.opts.crypt ? { crypt: this.opts.crypt } : {}),
        expectedDigest: digest,
        expectedSize: size,
        cryptMode: this.opts.cryptMode,
      }, signal);
    } catch (e) {
      const err = toRestoreError(e, `reading chunk ${i} of ${this.archive} (${location.digest})`);
      err.chunk ??= location;
      throw err;
    }
  }

  private remember(key: string, data: Buffer): void {
    const maxBytes = this.opts.maxCachedBytes ?? 64 * 1024 * 1024;
    const maxChunks = this.opts.maxCachedChunks ?? 64;
    if (data.length > maxBytes || maxChunks === 0) return;
    this.cache.set(key, data);
    this.cachedBytes += data.length;
    while (this.cache.size > maxChunks || this.cachedBytes > maxBytes) {
      const [oldest, old] = this.cache.entries().next().value!;
      this.cache.delete(oldest);
      this.cachedBytes -= old.length;
    }
  }

  /** Decoded chunks held in the cache now, and their bytes (for tests and diagnostics). */
  get cached(): { chunks: number; bytes: number } {
    return { chunks: this.cache.size, bytes: this.cachedBytes };
  }
}
