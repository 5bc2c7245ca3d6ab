// A streaming zip writer that stays valid past 4 GiB (entries and archives): every file entry is
// written zip64 from its local header on, with its sizes and CRC in a data descriptor after the
// data, so nothing is buffered and no seek back is needed (records: zipRecords.ts; data:
// entryEncoder.ts). Output goes to any Node Writable with backpressure (streamOut.ts).
//
// A file whose content fails while it is being read (a chunk missing in the backup) cannot be
// taken back from a stream: its data stays in the file, but it gets no central directory record,
// so readers, which go by the central directory, never see it; addFile throws, the writer goes on.
// A failure of the output itself ends the writer.
import type { Writable } from 'node:stream';
import { crc32 } from 'node:zlib';
import { RestoreError } from '../../shared/errors.ts';
import { CentralDirectory } from './centralDirectory.ts';
import { EntryEncoder, type ZipMethod } from './entryEncoder.ts';
import { StreamOut } from './streamOut.ts';
import {
  centralHeader,
  dataDescriptor,
  endRecords,
  localHeader,
  METHOD_STORE,
  S_IFDIR,
  S_IFLNK,
  S_IFREG,
  type ZipEntryRecord,
} from './zipRecords.ts';

export type { ZipMethod } from './entryEncoder.ts';

export interface ZipEntryMeta {
  /** Unix seconds (fractions dropped). */
  mtime?: number;
  /** Permission bits (the type bits are set by the kind of entry). */
  mode?: number;
}

/** The bytes each kind of entry added. */
export interface ZipAdded {
  size: number;
  compressedSize: number;
}

const MAX_NAME_BYTES = 0xffff;

/** Checks an entry path: relative, '/'-separated, no empty, '.' or '..' segment, no NUL. */
function encodeName(path: string, dir: boolean): Uint8Array {
  const segments = path.split('/');
  if (path === '' || segments.some((s) => s === '' || s === '.' || s === '..' || s.includes('\0'))) {
    throw new RestoreError('INVALID_NAME', `${JSON.stringify(path)} cannot be a zip entry name`);
  }
  const name = Buffer.from(dir ? `${path}/` : path, 'utf8');
  if (name.length > MAX_NAME_BYTES) throw new RestoreError('INVALID_NAME', `zip entry name longer than ${MAX_NAME_BYTES} bytes: ${path.slice(0, 80)}…`);
  return name;
}

const permissions = (mode: number | undefined, fallback: number): number => (mode ? mode & 0o7777 : fallback);

export class ZipWriter {
  readonly #out: StreamOut;
  readonly #cd: CentralDirectory;
  #state: 'open' | 'failed' | 'finished' = 'open';
  /** Uncompressed bytes of every entry added so far. */
  bytesIn = 0;

  constructor(out: Writable, opts: { what?: string; centralDirectory?: CentralDirectory } = {}) {
    this.#out = new StreamOut(out, opts.what ?? 'the zip');
    this.#cd = opts.centralDirectory ?? new CentralDirectory();
  }

  /** Bytes of zip written so far. */
  get bytesOut(): number {
    return this.#out.bytes;
  }

  /** False once finished or failed (an output error): nothing more can be added. */
  get open(): boolean {
    return this.#state === 'open';
  }

  get entries(): number {
    return this.#cd.count;
  }

  async addDirectory(path: string, meta: ZipEntryMeta = {}, signal?: AbortSignal): Promise<void> {
    const mode = S_IFDIR | permissions(meta.mode, 0o755);
    await this.#addKnown(encodeName(path, true), mode, meta.mtime ?? 0, new Uint8Array(0), signal);
  }

  async addSymlink(path: string, target: string, meta: ZipEntryMeta = {}, signal?: AbortSignal): Promise<void> {
    const mode = S_IFLNK | 0o777;
    await this.#addKnown(encodeName(path, false), mode, meta.mtime ?? 0, Buffer.from(target, 'utf8'), signal);
  }

  async addFile(
    path: string,
    content: AsyncIterable<Uint8Array>,
    meta: ZipEntryMeta & { method?: ZipMethod } = {},
    signal?: AbortSignal,
  ): Promise<ZipAdded> {
    const name = encodeName(path, false);
    this.#checkOpen();
    const entry: ZipEntryRecord = {
      name,
      mtime: meta.mtime ?? 0,
      mode: S_IFREG | permissions(meta.mode, 0o644),
      method: METHOD_STORE,
      descriptor: true,
      crc: 0,
      compressedSize: 0,
      size: 0,
      offset: 0,
    };
    const enc = new EntryEncoder(meta.method ?? 'auto', {
      start: async (method) => {
        entry.method = method;
        entry.offset = this.#out.bytes;
        await this.#write(localHeader(entry), signal);
      },
      write: (bytes) => this.#write(bytes, signal),
    });
    for await (const chunk of content) {
      signal?.throwIfAborted();
      this.#checkOpen();
      await enc.push(chunk);
      this.bytesIn += chunk.length;
    }
    await enc.end();
    entry.crc = enc.crc;
    entry.size = enc.size;
    entry.compressedSize = enc.compressedSize;
    await this.#write(dataDescriptor(entry), signal);
    await this.#cd.add(centralHeader(entry));
    return { size: entry.size, compressedSize: entry.compressedSize };
  }

  /** Writes the central directory and the end records, and ends the output stream. */
  async finish(signal?: AbortSignal): Promise<void> {
    this.#checkOpen();
    try {
      const offset = this.#out.bytes;
      for await (const piece of this.#cd.pieces()) await this.#write(piece, signal);
      await this.#write(endRecords(this.#cd.count, offset, this.#cd.size), signal);
      await this.#out.end(signal);
      this.#state = 'finished';
    } finally {
      await this.#cd.dispose();
    }
  }

  /** Drops what is kept for the central directory (after a failure or cancel; finish does it itself). */
  async dispose(): Promise<void> {
    if (this.#state === 'open') this.#state = 'failed';
    await this.#cd.dispose();
  }

  async #addKnown(name: Uint8Array, mode: number, mtime: number, data: Uint8Array, signal?: AbortSignal): Promise<void> {
    this.#checkOpen();
    const entry: ZipEntryRecord = {
      name,
      mtime,
      mode,
      method: METHOD_STORE,
      descriptor: false,
      crc: crc32(data),
      compressedSize: data.length,
      size: data.length,
      offset: this.#out.bytes,
    };
    await this.#write(localHeader(entry), signal);
    await this.#write(data, signal);
    this.bytesIn += data.length;
    await this.#cd.add(centralHeader(entry));
  }

  async #write(bytes: Uint8Array, signal?: AbortSignal): Promise<void> {
    try {
      await this.#out.write(bytes, signal);
    } catch (e) {
      this.#state = 'failed';
      throw e;
    }
  }

  #checkOpen(): void {
    if (this.#state !== 'open') throw new RestoreError('INTERNAL', `the zip writer is ${this.#state}`);
  }
}
