// Repeated non-zero chunks (the same data at many offsets: filesystem templates, cloned VMs) are
// fetched and decoded once while still needed. Like upstream's find_most_used_chunks(8), only the
// most used digests keep their decoded data between uses, which bounds memory to
// MAX_CACHED × chunk size; every repeated digest still shares a fetch that is under way.
import type { FixedIndex } from '../pbs/fixedIndex.ts';
import { DIGEST_SIZE } from '../pbs/fixedIndex.ts';

const MAX_CACHED = 8;

interface Entry {
  remaining: number;
  cacheable: boolean;
  data?: Buffer;
  pending?: Promise<Buffer>;
}

export class RepeatCache {
  #entries = new Map<string, Entry>();

  /**
   * Counts the index's digests; `skip` excludes the zero digest (never fetched anyway), `skipAt`
   * positions that need no work (chunks a resumed restore already has).
   */
  constructor(index: FixedIndex, skip: Uint8Array, skipAt?: (i: number) => boolean) {
    const counts = new Map<string, number>();
    const skipKey = Buffer.from(skip).toString('latin1');
    for (let off = 0, i = 0; off < index.digests.length; off += DIGEST_SIZE, i++) {
      if (skipAt?.(i)) continue;
      const k = index.digests.toString('latin1', off, off + DIGEST_SIZE);
      if (k !== skipKey) counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    const repeated = [...counts].filter(([, n]) => n > 1).sort((a, b) => b[1] - a[1]);
    repeated.forEach(([k, n], rank) => this.#entries.set(k, { remaining: n, cacheable: rank < MAX_CACHED }));
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Whether this digest appears at more than one position still to come. */
  has(digest: Uint8Array): boolean {
    return this.#entries.has(Buffer.from(digest.buffer, digest.byteOffset, digest.byteLength).toString('latin1'));
  }

  /**
   * The chunk's data: from the cache, from a fetch already under way, or from `load`.
   * `reused` tells whether this call avoided a fetch.
   */
  async get(digest: Uint8Array, load: () => Promise<Buffer>): Promise<{ data: Buffer; reused: boolean }> {
    const e = this.#entries.get(Buffer.from(digest.buffer, digest.byteOffset, digest.byteLength).toString('latin1'));
    if (!e) return { data: await load(), reused: false };
    if (e.data) return { data: e.data, reused: true };
    if (e.pending) return { data: await e.pending, reused: true };
    e.pending = load();
    try {
      const data = await e.pending;
      if (e.cacheable && e.remaining > 1) e.data = data;
      return { data, reused: false };
    } finally {
      e.pending = undefined;
    }
  }

  /** One position of this digest is done; its data is dropped after the last one. */
  release(digest: Uint8Array): void {
    const k = Buffer.from(digest.buffer, digest.byteOffset, digest.byteLength).toString('latin1');
    const e = this.#entries.get(k);
    if (e && --e.remaining <= 0) this.#entries.delete(k);
  }
}
