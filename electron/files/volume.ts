// Reading a partition or filesystem through a ByteReader without trusting it: every read is
// checked against the volume's size (a header field never sends us outside it, and never sizes an
// allocation on its own), and small metadata reads (inodes, FAT sectors, directory blocks) go
// through a few cached aligned pages, so a directory listing costs a handful of reads of the
// underlying chunks instead of one per inode.
import { RestoreError, toRestoreError } from '../../shared/errors.ts';
import type { ByteReader } from './fileTree.ts';
import { checkAbort } from './treeRead.ts';

const PAGE = 64 * 1024;
const PAGES = 64;

/** A structure of the image is damaged; `where` names it ('ext4 in part2: inode 12'). */
export function fsInvalid(where: string, what: string): RestoreError {
  return new RestoreError('FS_INVALID', `${where}: ${what}`);
}

/** A Buffer view of a read result (no copy), for its little-endian readers. */
export function asBuffer(b: Uint8Array): Buffer {
  return Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

/** An unsigned 64-bit little-endian field, or undefined when it does not fit in a safe integer. */
export function u64le(b: Buffer, at: number): number | undefined {
  const hi = b.readUInt32LE(at + 4);
  if (hi >= 2 ** 21) return undefined;
  return hi * 2 ** 32 + b.readUInt32LE(at);
}

/** The bytes [offset, offset + size) of `base` as a reader of their own (a partition of a disk). */
export function sliceReader(base: ByteReader, offset: number, size: number): ByteReader {
  if (offset < 0 || size < 0 || offset + size > base.size) throw new RangeError(`slice ${offset}+${size} outside ${base.size}`);
  return {
    size,
    read(at, length, signal) {
      const len = Math.max(0, Math.min(length, size - at));
      return base.read(offset + at, len, signal);
    },
  };
}

/** Resolve with `p`, or reject with CANCELLED as soon as the signal fires (p keeps running). */
function abortable<T>(p: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return p;
  checkAbort(signal);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new RestoreError('CANCELLED', 'cancelled', { cause: signal.reason }));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** A filesystem's bytes: checked reads, and a small LRU of aligned pages for metadata. */
export class Volume {
  readonly reader: ByteReader;
  /** Names the volume in error messages ('ext4 in part2'). */
  readonly where: string;
  private readonly pages = new Map<number, Promise<Buffer>>();

  constructor(reader: ByteReader, where: string) {
    this.reader = reader;
    this.where = where;
  }

  get size(): number {
    return this.reader.size;
  }

  invalid(what: string): RestoreError {
    return fsInvalid(this.where, what);
  }

  private check(offset: number, length: number, what: string): void {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > this.size) {
      throw this.invalid(`${what} at byte ${offset} (+${length}) lies outside the ${this.size}-byte volume`);
    }
  }

  /** Exactly `length` bytes at `offset`, uncached (file content). */
  async data(offset: number, length: number, what: string, signal?: AbortSignal): Promise<Buffer> {
    this.check(offset, length, what);
    checkAbort(signal);
    let got: Uint8Array;
    try {
      got = await this.reader.read(offset, length, signal);
    } catch (e) {
      throw toRestoreError(e, `${this.where}: reading ${what}`);
    }
    if (got.length !== length) throw this.invalid(`${what}: short read (${got.length} of ${length} bytes)`);
    return asBuffer(got);
  }

  /** Metadata bytes through the page cache; the result may be a view of a cached page: do not modify it. */
  async meta(offset: number, length: number, what: string, signal?: AbortSignal): Promise<Buffer> {
    this.check(offset, length, what);
    if (length > PAGE) return this.data(offset, length, what, signal);
    const first = Math.floor(offset / PAGE);
    const last = Math.floor((offset + length - 1) / PAGE);
    if (length === 0) return Buffer.alloc(0);
    if (first === last) {
      const page = await abortable(this.page(first, what), signal);
      return page.subarray(offset - first * PAGE, offset - first * PAGE + length);
    }
    const [a, b] = await abortable(Promise.all([this.page(first, what), this.page(last, what)]), signal);
    return Buffer.concat([a.subarray(offset - first * PAGE), b.subarray(0, offset + length - last * PAGE)]);
  }

  private page(n: number, what: string): Promise<Buffer> {
    const hit = this.pages.get(n);
    if (hit) {
      this.pages.delete(n); // re-insert: Map order is the LRU order
      this.pages.set(n, hit);
      return hit;
    }
    const start = n * PAGE;
    const p = this.data(start, Math.min(PAGE, this.size - start), what);
    this.pages.set(n, p);
    p.catch(() => this.pages.delete(n));
    while (this.pages.size > PAGES) this.pages.delete(this.pages.keys().next().value!);
    return p;
  }
}
