// The GOODBYE item that ends every directory: its lookup table. Upstream: proxmox/pxar
// src/format/mod.rs (GoodbyeItem), encoder/mod.rs (finish_goodbye_table), accessor/mod.rs.
//
// GOODBYE header (full_size = 16 + 24 * (n + 1)), then n + 1 items of 24 bytes, little-endian:
//   0 hash u64    SipHash-2-4 of the entry's file name (magic.ts hashFilename)
//   8 offset u64  from the start of the GOODBYE header back to the entry's FILENAME header
//  16 size u64    bytes of the entry from its FILENAME on (for a directory: up to the end of its
//                 own goodbye table)
// The n entry items are sorted by hash and stored as an array BST (binaryTreeArray.ts). The last
// item is the tail: hash = GOODBYE_TAIL_MARKER, offset = back from the GOODBYE header to the
// directory's ENTRY (for the root of a format-2 archive: to offset 0, the FORMAT_VERSION item),
// size = the GOODBYE item's full size. So from a directory's end alone, its tail gives the table
// and the directory's start: this is how a reader seeks without decoding what lies before.
//
// Quirk kept from upstream: for a file written into a split (format 2) archive, the item's size is
// the metadata bytes plus the file size, although the contents are in the payload stream. Readers
// must not take an entry's size as exact in format 2.
import { binaryTreeArrayCopy } from './binaryTreeArray.ts';
import { encodeHeader, HEADER_SIZE, pxarInvalid } from './header.ts';
import { PXAR_GOODBYE, PXAR_GOODBYE_TAIL_MARKER } from './magic.ts';

export const GOODBYE_ITEM_SIZE = 24;

export interface GoodbyeItem {
  hash: bigint;
  offset: number;
  size: number;
}

export function parseGoodbyeItem(buf: Uint8Array, pos: number): GoodbyeItem {
  const v = new DataView(buf.buffer, buf.byteOffset + pos, GOODBYE_ITEM_SIZE);
  const offset = v.getBigUint64(8, true);
  const size = v.getBigUint64(16, true);
  const max = BigInt(Number.MAX_SAFE_INTEGER);
  if (offset > max || size > max) throw pxarInvalid(`goodbye item with impossible offset ${offset} or size ${size}`);
  return { hash: v.getBigUint64(0, true), offset: Number(offset), size: Number(size) };
}

/** Where a directory lies, from the tail item at its end. */
export interface DirectoryBounds {
  /** Offset of the directory's ENTRY (0 for the root: it may start with FORMAT_VERSION). */
  entryOffset: number;
  /** Offset of its GOODBYE header. */
  goodbyeOffset: number;
  /** Its end: the offset after the tail item. */
  endOffset: number;
  /** Number of entries (items before the tail). */
  count: number;
}

/** Check the tail item (the 24 bytes before `endOffset`) and derive the directory's bounds. */
export function directoryBounds(tailBytes: Uint8Array, endOffset: number): DirectoryBounds {
  // The marker first: after a truncation the other fields are arbitrary bytes.
  const marker = new DataView(tailBytes.buffer, tailBytes.byteOffset, 8).getBigUint64(0, true);
  if (marker !== PXAR_GOODBYE_TAIL_MARKER) throw pxarInvalid(`no goodbye tail marker before offset ${endOffset} (archive truncated or not a directory)`);
  const tail = parseGoodbyeItem(tailBytes, 0);
  if (tail.size > endOffset || tail.size < HEADER_SIZE + GOODBYE_ITEM_SIZE) {
    throw pxarInvalid(`goodbye table ending at offset ${endOffset} claims an impossible size ${tail.size}`);
  }
  const goodbyeOffset = endOffset - tail.size;
  if (tail.offset > goodbyeOffset) throw pxarInvalid(`goodbye table at offset ${goodbyeOffset} points before the archive start`);
  const tableSize = tail.size - HEADER_SIZE;
  if (tableSize % GOODBYE_ITEM_SIZE !== 0) throw pxarInvalid(`goodbye table at offset ${goodbyeOffset} has size ${tableSize}, not a multiple of ${GOODBYE_ITEM_SIZE}`);
  return { entryOffset: goodbyeOffset - tail.offset, goodbyeOffset, endOffset, count: tableSize / GOODBYE_ITEM_SIZE - 1 };
}

/**
 * The GOODBYE item of a directory as upstream's encoder writes it. `items` carry absolute archive
 * offsets of the entries' FILENAME headers; they are made relative to `goodbyeOffset` here.
 */
export function encodeGoodbye(items: GoodbyeItem[], goodbyeOffset: number, entryOffset: number): Buffer {
  const sorted = [...items].sort((a, b) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0));
  const fullSize = HEADER_SIZE + GOODBYE_ITEM_SIZE * (sorted.length + 1);
  const out = Buffer.alloc(fullSize);
  encodeHeader(PXAR_GOODBYE, fullSize - HEADER_SIZE).copy(out, 0);
  const put = (slot: number, item: GoodbyeItem): void => {
    const pos = HEADER_SIZE + slot * GOODBYE_ITEM_SIZE;
    out.writeBigUInt64LE(item.hash, pos);
    out.writeBigUInt64LE(BigInt(item.offset), pos + 8);
    out.writeBigUInt64LE(BigInt(item.size), pos + 16);
  };
  binaryTreeArrayCopy(sorted.length, (src, dest) => {
    const item = sorted[src]!;
    put(dest, { ...item, offset: goodbyeOffset - item.offset });
  });
  put(sorted.length, { hash: PXAR_GOODBYE_TAIL_MARKER, offset: goodbyeOffset - entryOffset, size: fullSize });
  return out;
}
