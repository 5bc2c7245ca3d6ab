// zstd decompression into a buffer the caller gives, for chunks whose decoded size is known.
//
// Why: node:zlib's zstdDecompressSync allocates a fresh output buffer on every call (a new 4 MiB
// for each chunk: page faults, external memory for the GC to chase) and, below the frame's content
// size, streams through zstd's window buffer. Measured on 4 MiB level-1 chunks here: 1100-1500 MB
// per CPU-second through zstdDecompressSync, 2500-3000 writing into a reused buffer of the chunk's
// size, where zstd decodes the whole frame in one pass straight into it (libzstd's single-pass
// path), and no page faults after the first use.
//
// How: a ZstdDecompress stream's native handle has the synchronous `writeSync(flush, in, inOff,
// inLen, out, outOff, outLen)` that zstdDecompressSync itself drives (lib/zlib.js
// processChunkSync), with the counts left in `_writeState` and errors reported through the
// handle's `onerror`. That is Node's internal surface, so it is checked once per thread against
// zstdDecompressSync on a known frame; anything unexpected (another Node, an Electron without it)
// falls back to zstdDecompressSync and one copy. One handle per thread is reused (reset between
// frames), since its decompression context is the same for every chunk.
import { constants, createZstdDecompress, zstdCompressSync, zstdDecompressSync, type ZstdDecompress } from 'node:zlib';
import { RestoreError } from '../../shared/errors.ts';

interface NativeHandle {
  writeSync(flush: number, input: Uint8Array, inOff: number, inLen: number, out: Uint8Array, outOff: number, outLen: number): void;
  reset(): void;
  onerror: (message: string, errno: number, code?: string) => void;
}

interface Direct {
  stream: ZstdDecompress;
  handle: NativeHandle;
  /** [output bytes left, input bytes left] after each writeSync. */
  state: Uint32Array;
  error?: { message: string; code?: string };
}

const END = constants.ZSTD_e_end;
const probe = Buffer.alloc(64);
let direct: Direct | undefined;
/** undefined: not checked yet on this thread. */
let directWorks: boolean | undefined;

function openDirect(): Direct | undefined {
  const stream = createZstdDecompress({ chunkSize: 64 });
  const internal = stream as unknown as { _handle?: NativeHandle; _writeState?: unknown };
  const handle = internal._handle;
  const state = internal._writeState;
  if (typeof handle?.writeSync !== 'function' || typeof handle.reset !== 'function' || !(state instanceof Uint32Array)) {
    stream.close();
    return undefined;
  }
  const d: Direct = { stream, handle, state };
  handle.onerror = (message, _errno, code) => {
    d.error = { message, ...(code ? { code } : {}) };
  };
  return d;
}

function closeDirect(): void {
  direct?.stream.close();
  direct = undefined;
}

/** Writes until the input is used up or the output is full. Returns [written, input left]. */
function run(d: Direct, src: Uint8Array, out: Uint8Array): [number, number] {
  let inOff = 0;
  let inLen = src.length;
  let outOff = 0;
  let outLen = out.length;
  for (;;) {
    d.handle.writeSync(END, src, inOff, inLen, out, outOff, outLen);
    if (d.error) throw new Error(d.error.message);
    const [outLeft, inLeft] = d.state as unknown as [number, number];
    const used = inLen - inLeft;
    const wrote = outLen - outLeft;
    inOff += used;
    inLen = inLeft;
    outOff += wrote;
    outLen = outLeft;
    // Input left with room to spare: a frame ended and another (or garbage) follows; go on, as
    // zstdDecompressSync does. Neither consumed nor produced: nothing more will come.
    if (inLen === 0 || outLen === 0 || (used === 0 && wrote === 0)) return [outOff, inLen];
  }
}

function selfTest(): boolean {
  try {
    const plain = Buffer.from('restore-console '.repeat(300));
    const frame = zstdCompressSync(plain);
    const out = Buffer.alloc(plain.length);
    for (let i = 0; i < 2; i++) {
      out.fill(0);
      if (decompressDirect(frame, out) !== plain.length || !out.equals(plain)) return false;
    }
    return zstdDecompressSync(frame).equals(plain);
  } catch {
    closeDirect();
    return false;
  }
}

function decompressDirect(src: Uint8Array, out: Uint8Array): number {
  direct ??= openDirect();
  const d = direct;
  if (!d) throw new Error('no direct zstd handle');
  d.handle.reset();
  try {
    const [written, inLeft] = run(d, src, out);
    if (written === out.length) {
      // Full: the frame must end here. Anything zstd still yields means it is larger than expected.
      d.handle.writeSync(END, src, src.length - inLeft, inLeft, probe, 0, probe.length);
      if (d.error) throw new Error(d.error.message);
      if (d.state[0] !== probe.length || inLeft > 0) throw tooLarge(out.length);
    } else if (inLeft > 0) {
      throw new Error(`${inLeft} bytes after the end of the data`);
    }
    return written;
  } catch (e) {
    // The context may be mid-frame or in an error state: start the next call on a fresh one.
    closeDirect();
    throw e;
  }
}

function tooLarge(limit: number): RestoreError {
  return new RestoreError('CHUNK_SIZE_MISMATCH', `decompressed data is larger than the expected ${limit} bytes`);
}

/**
 * Decompresses the zstd frame(s) in `src` into `out` and returns the number of bytes written.
 * Data beyond `out.length` is never produced: a frame that would decode to more fails with
 * CHUNK_SIZE_MISMATCH, a corrupt or truncated one with BLOB_DECOMPRESS_FAILED.
 */
export function zstdDecompressInto(src: Uint8Array, out: Uint8Array): number {
  directWorks ??= selfTest();
  try {
    if (directWorks) return decompressDirect(src, out);
    const data = zstdDecompressSync(src, { maxOutputLength: Math.max(out.length, 1), chunkSize: out.length + 1 });
    if (data.length > out.length) throw tooLarge(out.length);
    out.set(data);
    return data.length;
  } catch (e) {
    if (e instanceof RestoreError) throw e;
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(out.length);
    throw new RestoreError('BLOB_DECOMPRESS_FAILED', `zstd decompression failed: ${(e as Error).message}`, { cause: e });
  }
}

/** Whether this thread decompresses straight into the caller's buffer (for the bench's report). */
export function zstdDecompressesDirectly(): boolean {
  directWorks ??= selfTest();
  return directWorks;
}
