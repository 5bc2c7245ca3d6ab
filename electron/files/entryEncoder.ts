// The data of one zip entry: CRC-32 (node:zlib, native), and either raw deflate (fflate) or the
// bytes as they are ("store").
//
// Store or deflate is decided per entry from a sample: its first 64 KiB after any leading zeros
// (copied, whatever sizes the pieces come in). The sample is deflated by the instance that would go
// on with the entry; if it shrinks by less than 5 % the entry is stored and the trial dropped. Why not always deflate at the fastest level, as PBS
// does: fflate in JavaScript manages ~30 MB/s on data that does not compress (already compressed
// files, media, encrypted containers), against ~100 MB/s on text, and storing such data costs
// nothing and loses nothing. A file whose start does not look like the rest is the price.
//
// Runs of zeros (sparse files, disk images, the 4 GiB zero test) skip fflate, which takes ~150 MB/s
// even on zeros: each 64 KiB zero piece becomes a precomputed, self-contained deflate segment
// (a literal zero, then matches at distance 1, then an empty stored block, so it ends on a byte
// boundary). Before one, the running fflate instance is sync-flushed and dropped; data after it
// starts a fresh instance, whose window holds nothing from before, so no match ever reaches across
// a segment. The stream ends with fflate's final block, or with an empty final fixed-Huffman block
// (03 00) when it ended in a zero segment. Zeros before the decision are counted, not buffered.
import { crc32 } from 'node:zlib';
import { Deflate } from 'fflate';
import { METHOD_DEFLATE, METHOD_STORE } from './zipRecords.ts';

export type ZipMethod = 'auto' | 'store' | 'deflate';

export const PIECE = 64 * 1024;
/** fflate level 1 with a 64 Ki-entry hash table: fflate's default table (2 MiB, allocated per
 * stream) costs more per small file than compressing it, and is slower on large ones (cache). */
const DEFLATE_OPTIONS = { level: 1, mem: 4 } as const;
const STORE_RATIO = 0.95;
const ZERO_PIECE = new Uint8Array(PIECE);
const FINAL_EMPTY_BLOCK = Uint8Array.of(0x03, 0x00);

/** 64 KiB of zeros as a deflate segment that can be repeated and followed by a fresh stream. */
export const ZERO_SEGMENT: Uint8Array = (() => {
  const parts: Uint8Array[] = [];
  const d = new Deflate(DEFLATE_OPTIONS, (c) => parts.push(c));
  d.push(ZERO_PIECE);
  d.flush(true);
  return Buffer.concat(parts);
})();

function isZero(piece: Uint8Array): boolean {
  return Buffer.from(piece.buffer, piece.byteOffset, piece.length).equals(ZERO_PIECE.subarray(0, piece.length));
}

export interface EncoderSink {
  /** Called once, before the first data byte: the method is now known (the local header goes out). */
  start(method: number): Promise<void>;
  write(bytes: Uint8Array): Promise<void>;
}

export class EntryEncoder {
  readonly #mode: ZipMethod;
  readonly #sink: EncoderSink;
  method: number | undefined;
  crc = 0;
  size = 0;
  compressedSize = 0;
  /** Before the decision: zeros seen before any other byte (counted), then the sample (copied). */
  #pendingZeros = 0;
  #sample: Uint8Array | undefined;
  #sampleLength = 0;
  #deflate: Deflate | undefined;
  #out: Uint8Array[] = [];

  constructor(mode: ZipMethod, sink: EncoderSink) {
    this.#mode = mode;
    this.#sink = sink;
  }

  async push(chunk: Uint8Array): Promise<void> {
    for (let off = 0; off < chunk.length; off += PIECE) {
      const piece = chunk.subarray(off, off + PIECE);
      this.crc = crc32(piece, this.crc);
      this.size += piece.length;
      await this.#piece(piece);
    }
  }

  /** After the last push: ends the deflate stream. */
  async end(): Promise<void> {
    if (this.method === undefined) {
      // A short file ends while sampling; an empty one is stored, zeros only deflate to almost nothing.
      if (this.#sampleLength) await this.#decideFromSample();
      else await this.#decide(this.#pendingZeros ? METHOD_DEFLATE : METHOD_STORE);
    }
    if (this.method === METHOD_DEFLATE) {
      if (this.#deflate) this.#deflate.push(new Uint8Array(0), true);
      else this.#out.push(FINAL_EMPTY_BLOCK);
      this.#deflate = undefined;
      await this.#drain();
    }
  }

  async #piece(piece: Uint8Array): Promise<void> {
    if (this.method === undefined) {
      if (this.#mode !== 'auto') {
        await this.#decide(this.#mode === 'store' ? METHOD_STORE : METHOD_DEFLATE);
      } else if (this.#sampleLength === 0 && isZero(piece)) {
        this.#pendingZeros += piece.length;
        return;
      } else {
        if (this.#sampleLength === 0) {
          const lead = piece.findIndex((b) => b !== 0);
          this.#pendingZeros += lead;
          piece = piece.subarray(lead);
        }
        this.#sample ??= new Uint8Array(PIECE);
        const take = Math.min(piece.length, PIECE - this.#sampleLength);
        this.#sample.set(piece.subarray(0, take), this.#sampleLength);
        this.#sampleLength += take;
        if (this.#sampleLength < PIECE) return;
        await this.#decideFromSample();
        if (take === piece.length) return;
        piece = piece.subarray(take);
      }
    }
    if (this.method === METHOD_STORE) return this.#emit(piece);
    if (piece.length === PIECE && isZero(piece)) this.#zeroSegment();
    else (this.#deflate ??= this.#newDeflate()).push(piece);
    await this.#drain();
  }

  /** Deflates the sample with the instance that would go on with the entry, and keeps it if it pays. */
  async #decideFromSample(): Promise<void> {
    const sample = this.#sample!.subarray(0, this.#sampleLength);
    this.#sample = undefined;
    this.#sampleLength = 0;
    const trial = this.#newDeflate();
    trial.push(sample);
    trial.flush();
    const trialBytes = this.#out.reduce((n, b) => n + b.length, 0);
    const kept = this.#out;
    this.#out = [];
    this.#deflate = undefined;
    if (trialBytes >= STORE_RATIO * sample.length) {
      await this.#decide(METHOD_STORE);
      await this.#emit(sample);
    } else if (this.#pendingZeros === 0) {
      await this.#decide(METHOD_DEFLATE);
      this.#deflate = trial;
      this.#out = kept;
      await this.#drain();
    } else {
      // Zeros came first and must be encoded before the sample: the trial's output cannot be used.
      await this.#decide(METHOD_DEFLATE);
      (this.#deflate ??= this.#newDeflate()).push(sample);
      await this.#drain();
    }
  }

  /** Fixes the method, starts the entry, and writes the zeros counted before the decision. */
  async #decide(method: number): Promise<void> {
    this.method = method;
    await this.#sink.start(method);
    const zeros = this.#pendingZeros;
    this.#pendingZeros = 0;
    for (let n = 0; n < zeros; n += PIECE) {
      const piece = ZERO_PIECE.subarray(0, Math.min(PIECE, zeros - n));
      if (method === METHOD_STORE) await this.#emit(piece);
      else {
        if (piece.length === PIECE) this.#zeroSegment();
        else (this.#deflate ??= this.#newDeflate()).push(piece);
        await this.#drain();
      }
    }
  }

  #zeroSegment(): void {
    if (this.#deflate) {
      this.#deflate.flush(true);
      this.#deflate = undefined;
    }
    this.#out.push(ZERO_SEGMENT);
  }

  #newDeflate(): Deflate {
    const d = new Deflate(DEFLATE_OPTIONS, (c) => this.#out.push(c));
    this.#deflate = d;
    return d;
  }

  async #drain(): Promise<void> {
    const parts = this.#out;
    this.#out = [];
    for (const p of parts) await this.#emit(p);
  }

  async #emit(bytes: Uint8Array): Promise<void> {
    this.compressedSize += bytes.length;
    await this.#sink.write(bytes);
  }
}
