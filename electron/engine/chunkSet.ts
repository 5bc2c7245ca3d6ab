// A set of chunk positions as a bitmap: which chunks of an image are written and synced (resume).
// One bit per chunk keeps even a 16 TiB image in 4 MiB chunks at 512 KiB, and it travels as base64
// in the resume state file (docs/resume.md).

export class ChunkSet {
  readonly count: number;
  readonly #bits: Uint8Array;
  #size = 0;

  constructor(count: number, bits?: Uint8Array) {
    if (!Number.isInteger(count) || count < 0) throw new RangeError(`a chunk count must be an integer >= 0, got ${count}`);
    this.count = count;
    this.#bits = new Uint8Array(Math.ceil(count / 8));
    if (bits) {
      if (bits.length !== this.#bits.length) throw new RangeError(`a bitmap of ${count} chunks has ${this.#bits.length} bytes, got ${bits.length}`);
      this.#bits.set(bits);
      // Bits past the last chunk must be clear, or two equal sets could encode differently.
      if (count % 8 && this.#bits.length && this.#bits[this.#bits.length - 1]! >> (count % 8)) throw new RangeError('bits set past the last chunk');
      for (const b of this.#bits) this.#size += popcount(b);
    }
  }

  /** Every chunk of an image of `count` chunks. */
  static all(count: number): ChunkSet {
    const set = new ChunkSet(count);
    for (let i = 0; i < count; i++) set.add(i);
    return set;
  }

  /** Chunks in the set. */
  get size(): number {
    return this.#size;
  }

  has(i: number): boolean {
    return i >= 0 && i < this.count && (this.#bits[i >> 3]! & (1 << (i & 7))) !== 0;
  }

  add(i: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.count) throw new RangeError(`chunk ${i} is outside 0-${this.count - 1}`);
    const m = 1 << (i & 7);
    if (this.#bits[i >> 3]! & m) return;
    this.#bits[i >> 3]! |= m;
    this.#size++;
  }

  /** Adds every chunk of `other` (the same count). */
  addAll(other: ChunkSet): void {
    if (other.count !== this.count) throw new RangeError(`sets of ${this.count} and ${other.count} chunks`);
    for (let i = 0; i < this.#bits.length; i++) {
      const added = other.#bits[i]! & ~this.#bits[i]!;
      if (!added) continue;
      this.#bits[i]! |= added;
      this.#size += popcount(added);
    }
  }

  toBase64(): string {
    return Buffer.from(this.#bits).toString('base64');
  }

  static fromBase64(count: number, text: string): ChunkSet {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw new RangeError('not base64');
    return new ChunkSet(count, Buffer.from(text, 'base64'));
  }
}

function popcount(b: number): number {
  let n = 0;
  for (let x = b; x; x &= x - 1) n++;
  return n;
}
