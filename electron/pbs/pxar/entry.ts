// Decoding one entry of a pxar archive from random-access input: its FILENAME, then its items up
// to the one that says what it is (upstream: proxmox/pxar src/decoder/mod.rs,
// read_next_entry_or_eof and read_current_item, as the accessor drives them on a byte range).
// Attribute items (XATTR, ACL_*, FCAPS, QUOTA_PROJID) are skipped by their size: nothing here
// needs them, and skipping never reads their content. Every read stays inside the entry's range,
// and every item moves forward by at least its 16-byte header, so work is bounded by the range.
import { HEADER_SIZE, parseHeader, pxarInvalid, type ItemHeader } from './header.ts';
import {
  parseDevice,
  parseFilename,
  parseFormatVersion,
  parseHardlink,
  parsePayloadRef,
  parseSymlink,
  type Device,
  type Hardlink,
  type PayloadRef,
} from './entryItems.ts';
import {
  itemTypeName,
  PXAR_ACL_DEFAULT,
  PXAR_ACL_DEFAULT_GROUP,
  PXAR_ACL_DEFAULT_USER,
  PXAR_ACL_GROUP,
  PXAR_ACL_GROUP_OBJ,
  PXAR_ACL_USER,
  PXAR_DEVICE,
  PXAR_ENTRY,
  PXAR_ENTRY_V1,
  PXAR_FCAPS,
  PXAR_FILENAME,
  PXAR_FORMAT_VERSION,
  PXAR_GOODBYE,
  PXAR_HARDLINK,
  PXAR_PAYLOAD,
  PXAR_PAYLOAD_REF,
  PXAR_PRELUDE,
  PXAR_QUOTA_PROJID,
  PXAR_SYMLINK,
  PXAR_XATTR,
} from './magic.ts';
import { parseStat, parseStatV1, S_IFDIR, S_IFIFO, S_IFMT, S_IFSOCK, type PxarStat } from './stat.ts';

/**
 * Random access to the bytes of an archive: the shape of electron/files' ByteReader, declared
 * here because the format layer may not import the engine layer.
 */
export interface PxarInput {
  readonly size: number;
  read(offset: number, length: number, signal?: AbortSignal): Promise<Uint8Array>;
}

export type PxarKind = 'file' | 'dir' | 'symlink' | 'hardlink' | 'device' | 'fifo' | 'socket';

export interface DecodedEntry {
  kind: PxarKind;
  /** Absent for hardlinks, which carry no metadata of their own. */
  stat?: PxarStat;
  /** Regular files: content bytes. */
  size: number;
  /** Format 1 files: offset of the contents in the archive. */
  contentOffset?: number;
  /** Format 2 files: where the contents are in the payload stream. */
  payloadRef?: PayloadRef;
  symlinkTarget?: string;
  hardlink?: Hardlink;
  device?: Device;
}

const ATTRIBUTES = new Set([
  PXAR_XATTR,
  PXAR_ACL_USER,
  PXAR_ACL_GROUP,
  PXAR_ACL_GROUP_OBJ,
  PXAR_ACL_DEFAULT,
  PXAR_ACL_DEFAULT_USER,
  PXAR_ACL_DEFAULT_GROUP,
  PXAR_FCAPS,
  PXAR_QUOTA_PROJID,
]);

/** Bytes fetched at once when an item is needed: most entries fit, so one read serves several items. */
const WINDOW = 4096;

/** Reads items of [start, end) through a small window, so consecutive small items cost one read. */
export class ItemCursor {
  private buf: Uint8Array = new Uint8Array(0);
  private bufAt = 0;
  private readonly input: PxarInput;
  readonly end: number;
  private readonly signal: AbortSignal | undefined;

  constructor(input: PxarInput, end: number, signal?: AbortSignal) {
    this.input = input;
    this.end = end;
    this.signal = signal;
  }

  /** `n` bytes at `pos`, which must lie inside the range. */
  async bytes(pos: number, n: number, what: string): Promise<Uint8Array> {
    if (pos < 0 || pos + n > this.end) throw pxarInvalid(`${what} at offset ${pos} runs past the end of its entry (offset ${this.end})`);
    if (pos < this.bufAt || pos + n > this.bufAt + this.buf.length) {
      const len = Math.min(Math.max(n, WINDOW), this.end - pos);
      const got = await this.input.read(pos, len, this.signal);
      if (got.length < n) throw pxarInvalid(`${what} at offset ${pos} is cut off (archive truncated?)`);
      this.buf = got;
      this.bufAt = pos;
    }
    return this.buf.subarray(pos - this.bufAt, pos - this.bufAt + n);
  }

  async header(pos: number): Promise<ItemHeader> {
    const h = parseHeader(await this.bytes(pos, HEADER_SIZE, 'item header'), 0, pos);
    if (pos + h.fullSize > this.end) throw pxarInvalid(`${itemTypeName(h.htype)} at offset ${pos} (${h.fullSize} bytes) runs past the end of its entry (offset ${this.end})`);
    return h;
  }

  content(pos: number, h: ItemHeader): Promise<Uint8Array> {
    return this.bytes(pos + HEADER_SIZE, h.contentSize, itemTypeName(h.htype));
  }
}

/** Reads the FILENAME item at `pos`; returns the raw name and where the entry's own items start. */
export async function readFilename(cur: ItemCursor, pos: number): Promise<{ name: Uint8Array; next: number }> {
  const h = await cur.header(pos);
  if (h.htype !== PXAR_FILENAME) throw pxarInvalid(`expected FILENAME at offset ${pos}, found ${itemTypeName(h.htype)}`);
  // Copied: the window is reused by later reads.
  const name = Uint8Array.from(parseFilename(await cur.content(pos, h), pos));
  return { name, next: pos + h.fullSize };
}

/**
 * Decode the entry whose items start at `pos` (after its FILENAME, or at 0 for the root, where
 * FORMAT_VERSION and PRELUDE may come first). `split` says whether a payload stream exists.
 */
export async function decodeEntry(cur: ItemCursor, pos: number, opts: { root?: boolean; split: boolean }): Promise<DecodedEntry> {
  let h = await cur.header(pos);
  if (opts.root && h.htype === PXAR_FORMAT_VERSION) {
    parseFormatVersion(await cur.content(pos, h), pos);
    pos += h.fullSize;
    h = await cur.header(pos);
    if (h.htype === PXAR_PRELUDE) {
      pos += h.fullSize;
      h = await cur.header(pos);
    }
  }
  if (h.htype === PXAR_HARDLINK && !opts.root) {
    return { kind: 'hardlink', size: 0, hardlink: parseHardlink(await cur.content(pos, h), pos) };
  }
  let stat: PxarStat;
  if (h.htype === PXAR_ENTRY) stat = parseStat(await cur.content(pos, h), pos);
  else if (h.htype === PXAR_ENTRY_V1) stat = parseStatV1(await cur.content(pos, h), pos);
  else throw pxarInvalid(`expected ENTRY at offset ${pos}, found ${itemTypeName(h.htype)}`);
  pos += h.fullSize;
  const fmt = stat.mode & S_IFMT;
  for (;;) {
    if (pos === cur.end) {
      // A fifo or socket read on its own range ends right after its metadata (upstream's eof_after_entry).
      if (fmt === S_IFIFO) return { kind: 'fifo', stat, size: 0 };
      if (fmt === S_IFSOCK) return { kind: 'socket', stat, size: 0 };
      if (fmt === S_IFDIR) return { kind: 'dir', stat, size: 0 };
      throw pxarInvalid(`entry ending at offset ${pos} has no contents item`);
    }
    h = await cur.header(pos);
    if (ATTRIBUTES.has(h.htype)) {
      pos += h.fullSize;
      continue;
    }
    switch (h.htype) {
      case PXAR_PAYLOAD:
        return { kind: 'file', stat, size: h.contentSize, contentOffset: pos + HEADER_SIZE };
      case PXAR_PAYLOAD_REF: {
        if (!opts.split) throw pxarInvalid(`PAYLOAD_REF at offset ${pos} in an archive without a payload stream`);
        const ref = parsePayloadRef(await cur.content(pos, h), pos);
        return { kind: 'file', stat, size: ref.size, payloadRef: ref };
      }
      case PXAR_SYMLINK:
        return { kind: 'symlink', stat, size: 0, symlinkTarget: parseSymlink(await cur.content(pos, h), pos) };
      case PXAR_DEVICE:
        return { kind: 'device', stat, size: 0, device: parseDevice(await cur.content(pos, h), pos) };
      case PXAR_FILENAME:
      case PXAR_GOODBYE:
        // The first child or the goodbye table of a directory; fifos and sockets have no contents item.
        if (fmt === S_IFIFO) return { kind: 'fifo', stat, size: 0 };
        if (fmt === S_IFSOCK) return { kind: 'socket', stat, size: 0 };
        return { kind: 'dir', stat, size: 0 };
      default:
        throw pxarInvalid(`unexpected ${itemTypeName(h.htype)} at offset ${pos}`);
    }
  }
}
