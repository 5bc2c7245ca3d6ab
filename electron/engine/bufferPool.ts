// Buffers for chunk data, used again and again: a source reads a stored chunk into one, a decode
// worker decompresses into another, and both come back after the decode or the write. One size
// fits all of a job's buffers: the index's chunk size plus the largest blob header, the most a
// valid stored chunk can take. Without a pool every chunk cost two fresh 4 MiB allocations, each
// paid in page faults (a thousand per chunk) and in garbage collections of external memory.
//
// The pool keeps at most `max` buffers (handed out + free). It never refuses one: what bounds
// memory is the engine, which holds at most so many chunks at once (restoreEngine.ts); `max` only
// stops the pool from keeping more than those need. A buffer lost on an error path (a read that
// failed half-way) is simply never given back, and the pool then keeps fewer.
// A buffer must be given back once, by its one owner: giving the same buffer twice would hand it to
// two chunks at once, so it is refused loudly.

export class BufferPool {
  readonly capacity: number;
  #max: number;
  #free: ArrayBuffer[] = [];
  /** Handed out and not given back yet. */
  #out = 0;
  #allocated = 0;
  #peak = 0;

  constructor(capacity: number, max: number) {
    this.capacity = capacity;
    this.#max = Math.max(1, max);
  }

  get max(): number {
    return this.#max;
  }

  /** A lower maximum drops free buffers beyond it at once; handed-out ones as they come back. */
  set max(n: number) {
    this.#max = Math.max(1, n);
    while (this.#free.length > 0 && this.#out + this.#free.length > this.#max) this.#free.pop();
  }

  /** Buffers allocated so far, and the most this pool held at once (handed out + free). */
  get stats(): { allocated: number; peak: number } {
    return { allocated: this.#allocated, peak: this.#peak };
  }

  /**
   * A buffer of `size` bytes the caller owns until it gives `.buffer` back. Sizes beyond the
   * capacity (no valid chunk has them; the decoder will say what is wrong) get a buffer of their
   * own that is never pooled.
   */
  take(size: number): Buffer {
    if (size > this.capacity) return Buffer.allocUnsafeSlow(size);
    let ab = this.#free.pop();
    if (!ab) {
      // Its own ArrayBuffer (never Node's shared pool), so it can be moved to a worker.
      ab = Buffer.allocUnsafeSlow(this.capacity).buffer as ArrayBuffer;
      this.#allocated++;
    }
    this.#out++;
    this.#peak = Math.max(this.#peak, this.#out + this.#free.length);
    return Buffer.from(ab, 0, size);
  }

  /** Gives a buffer back. Anything that is not one of the pool's size is left to the GC. */
  give(ab: ArrayBufferLike): void {
    if (!(ab instanceof ArrayBuffer) || ab.byteLength !== this.capacity) return;
    if (this.#free.includes(ab)) throw new Error('a chunk buffer was given back twice');
    if (this.#out > 0) this.#out--;
    if (this.#out + this.#free.length < this.#max) this.#free.push(ab);
  }
}
