// An in-memory chunk source for engine tests: chunks built from an image buffer, with hooks to
// delay, fail or drop individual reads, and counters of what was read and how much at once.
import { createHash } from 'node:crypto';
import { buildChunk, zeroChunkDigest, type CryptMode } from '../../electron/pbs/dataBlob.ts';
import type { CryptConfig } from '../../electron/pbs/cryptConfig.ts';
import { parseFixedIndex, writeFixedIndex, type FixedIndex } from '../../electron/pbs/fixedIndex.ts';
import { toHex } from '../../electron/pbs/hex.ts';
import type { EngineInput } from '../../electron/engine/restoreEngine.ts';
import type { ChunkSource } from '../../electron/source/chunkSource.ts';

export interface MemSource extends ChunkSource {
  chunks: Map<string, Buffer>;
  reads: string[];
  active: number;
  maxActive: number;
  /** Called before each read resolves; may await, throw or mutate. */
  hook?: (hex: string, n: number) => Promise<void> | void;
}

export function memSource(chunks: Map<string, Buffer>): MemSource {
  const src: MemSource = {
    chunks,
    reads: [],
    active: 0,
    maxActive: 0,
    async readChunk(digest, signal, _maxBytes, alloc) {
      const hex = toHex(digest);
      const n = src.reads.push(hex);
      src.active++;
      src.maxActive = Math.max(src.maxActive, src.active);
      try {
        // A real source answers on a later turn of the event loop, so reads overlap.
        await new Promise((r) => setImmediate(r));
        await src.hook?.(hex, n);
        signal?.throwIfAborted();
        const raw = src.chunks.get(hex);
        if (!raw) throw Object.assign(new Error(`chunk ${hex} missing`), { code: 'ENOENT' });
        // The caller owns what it gets (the decode pool transfers it away): hand out a copy, in
        // the caller's buffer when it gives one, as the real sources do.
        if (!alloc) return Buffer.from(raw);
        const out = alloc(raw.length);
        out.set(raw);
        return out;
      } finally {
        src.active--;
      }
    },
  };
  return src;
}

/** A deterministic test image: zero chunks, random chunks, a repeated chunk and a short tail. */
export function testImage(chunkSize: number, chunks: number, tail: number): Buffer {
  const img = Buffer.alloc(chunks * chunkSize + tail);
  for (let i = 0; i < chunks; i++) {
    if (i % 3 === 1) continue; // every third chunk stays zero
    const fill = i % 7 === 5 ? 'repeat' : `chunk-${i}`;
    let block = createHash('sha256').update(fill).digest();
    for (let off = i * chunkSize; off < (i + 1) * chunkSize; off += 32) {
      block.copy(img, off);
      block = createHash('sha256').update(block).digest();
    }
  }
  img.fill(0xab, chunks * chunkSize);
  return img;
}

export interface Built {
  input: EngineInput;
  index: FixedIndex;
  source: MemSource;
  sha256: string;
}

/** Chunk an image the way a PBS backup does, into an index and a source holding its chunks. */
export function buildImage(img: Buffer, chunkSize: number, crypt?: CryptConfig): Built {
  const chunks = new Map<string, Buffer>();
  const digests: Buffer[] = [];
  for (let off = 0; off < img.length; off += chunkSize) {
    const { digest, blob } = buildChunk(img.subarray(off, Math.min(off + chunkSize, img.length)), { compress: true, ...(crypt ? { crypt } : {}) });
    digests.push(digest);
    chunks.set(toHex(digest), blob);
  }
  const index = parseFixedIndex(writeFixedIndex({ size: img.length, chunkSize, digests }), 'test.img.fidx');
  const source = memSource(chunks);
  const cryptMode: CryptMode = crypt ? 'encrypt' : 'none';
  return {
    index,
    source,
    sha256: createHash('sha256').update(img).digest('hex'),
    input: { index, source, cryptMode, zeroDigest: zeroChunkDigest(chunkSize, crypt), ...(crypt ? { crypt } : {}) },
  };
}

/** A promise with its resolve function, for tests that hold reads until they choose. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
