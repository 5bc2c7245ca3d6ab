// The decode seam: turns a chunk's stored bytes into verified plaintext. The inline decoder runs
// everything on the calling thread (tests, tools); the engine's jobs use the worker pool
// (decodePool.ts), which the engine cannot tell apart from it.
import { decodeBlob, isCompressedBlob, type DecodeOptions } from '../pbs/dataBlob.ts';
import type { BufferPool } from './bufferPool.ts';

export interface ChunkDecoder {
  /**
   * Verifies and decodes a chunk; `raw` is the decoder's from now on. With `buffers`, a compressed
   * chunk is decompressed into a buffer taken from it, and whichever buffer the result does not
   * use goes back to it; the caller gives the result's buffer back when done with it.
   */
  decode(raw: Uint8Array, opts: DecodeOptions, signal?: AbortSignal, buffers?: BufferPool): Promise<Buffer>;
  /** Decoders with threads of their own: time they had work (summed, ms) and how many there are. */
  load?(): { busyMs: number; workers: number };
  close(): Promise<void>;
}

export const inlineDecoder: ChunkDecoder = {
  async decode(raw, opts, signal, buffers) {
    signal?.throwIfAborted();
    if (!buffers) return decodeBlob(raw, { ...opts, reuseRaw: true });
    const into = isCompressedBlob(raw) && opts.expectedSize !== undefined ? buffers.take(opts.expectedSize) : undefined;
    let data: Buffer | undefined;
    try {
      data = decodeBlob(raw, { ...opts, reuseRaw: true, ...(into ? { into } : {}) });
      return data;
    } finally {
      if (data?.buffer !== raw.buffer) buffers.give(raw.buffer);
      if (into && data?.buffer !== into.buffer) buffers.give(into.buffer);
    }
  },
  close: async () => {},
};
