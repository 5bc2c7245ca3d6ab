// The item header of a pxar archive. Upstream: proxmox/pxar src/format/mod.rs (Header).
//
// A pxar archive is a sequence of items, each a 16-byte header then its content, little-endian:
//   0 htype u64      the item type, one of the constants of magic.ts
//   8 full_size u64  header + content, so never less than 16
// Upstream refuses an item whose content exceeds a per-type limit (Header::max_content_size);
// the same limits apply here, which also bounds what a hostile archive can make us read.
import { RestoreError } from '../../../shared/errors.ts';
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
  PXAR_HARDLINK,
  PXAR_PAYLOAD_REF,
  PXAR_PAYLOAD_TAIL_MARKER,
  PXAR_QUOTA_PROJID,
  PXAR_SYMLINK,
  PXAR_XATTR,
} from './magic.ts';

export const HEADER_SIZE = 16;
/** Longest symlink target or hardlink path, without the terminating zero (upstream util.rs). */
export const MAX_PATH_LEN = 4096;
export const MAX_FILENAME_LEN = MAX_PATH_LEN;
/** Name + value of one extended attribute. */
export const MAX_XATTR_LEN = 255 + 64 * 1024;

export interface ItemHeader {
  htype: bigint;
  /** Header + content, in bytes. */
  fullSize: number;
  contentSize: number;
}

/** An archive that breaks the format: one code, and a message saying what and where. */
export function pxarInvalid(what: string): RestoreError {
  return new RestoreError('PXAR_INVALID', `pxar archive: ${what}`);
}

/** Largest content upstream accepts for an item type; undefined means no limit of its own. */
export function maxContentSize(htype: bigint): number | undefined {
  switch (htype) {
    case PXAR_FILENAME:
      return MAX_FILENAME_LEN + 1;
    case PXAR_SYMLINK:
      return MAX_PATH_LEN + 1;
    case PXAR_HARDLINK:
      return MAX_PATH_LEN + 1 + 8;
    case PXAR_DEVICE:
    case PXAR_PAYLOAD_REF:
    case PXAR_ACL_USER:
    case PXAR_ACL_DEFAULT_USER:
    case PXAR_ACL_GROUP:
    case PXAR_ACL_DEFAULT_GROUP:
      return 16;
    case PXAR_XATTR:
    case PXAR_FCAPS:
      return MAX_XATTR_LEN;
    case PXAR_ACL_DEFAULT:
      return 32;
    case PXAR_ACL_GROUP_OBJ:
    case PXAR_QUOTA_PROJID:
    case PXAR_FORMAT_VERSION:
      return 8;
    case PXAR_ENTRY:
      return 40;
    case PXAR_ENTRY_V1:
      return 32;
    case PXAR_PAYLOAD_TAIL_MARKER:
      return HEADER_SIZE;
    default:
      return undefined;
  }
}

/** Parse and check the header at `pos` of `buf` (`at` is its archive offset, for messages). */
export function parseHeader(buf: Uint8Array, pos: number, at: number): ItemHeader {
  if (buf.length - pos < HEADER_SIZE) throw pxarInvalid(`item header at offset ${at} is cut off (archive truncated?)`);
  const view = new DataView(buf.buffer, buf.byteOffset + pos, HEADER_SIZE);
  const htype = view.getBigUint64(0, true);
  const full = view.getBigUint64(8, true);
  if (full < BigInt(HEADER_SIZE)) throw pxarInvalid(`${itemTypeName(htype)} at offset ${at} has size ${full}, less than its header`);
  if (full > BigInt(Number.MAX_SAFE_INTEGER)) throw pxarInvalid(`${itemTypeName(htype)} at offset ${at} has impossible size ${full}`);
  const fullSize = Number(full);
  const contentSize = fullSize - HEADER_SIZE;
  const max = maxContentSize(htype);
  if (max !== undefined && contentSize > max) {
    throw pxarInvalid(`${itemTypeName(htype)} at offset ${at} has ${contentSize} content bytes, more than the ${max} allowed`);
  }
  return { htype, fullSize, contentSize };
}

export function encodeHeader(htype: bigint, contentSize: number): Buffer {
  const out = Buffer.alloc(HEADER_SIZE);
  out.writeBigUInt64LE(htype, 0);
  out.writeBigUInt64LE(BigInt(contentSize + HEADER_SIZE), 8);
  return out;
}
