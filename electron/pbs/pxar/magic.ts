// pxar item types and the file name hash. Upstream: proxmox/pxar src/format/mod.rs.
//
// Hash keys: the first and second 16 hex digits of SHA-1("PROXMOX ARCHIVE FORMAT"), as u64.
// Item types: each is SipHash-2-4 (under those keys) of a fixed ASCII string, as upstream's
// examples/mk-format-hashes.rs generates them; the string is written next to each constant and
// test/pbs/pxar/magic.test.ts recomputes every one.
import { sipHash24 } from './sipHash.ts';

/** sha1("PROXMOX ARCHIVE FORMAT")[0..8] as a big-endian u64 */
export const PXAR_HASH_KEY_1 = 0x83ac3f1cfbb450dbn;
/** sha1("PROXMOX ARCHIVE FORMAT")[8..16] as a big-endian u64 */
export const PXAR_HASH_KEY_2 = 0xaa4f1b6879369fbdn;

/** The goodbye table's sort key for a file name (its raw bytes, no terminating zero). */
export function hashFilename(name: Uint8Array): bigint {
  return sipHash24(PXAR_HASH_KEY_1, PXAR_HASH_KEY_2, name);
}

/** hash("__PROXMOX_FORMAT_VERSION__"): first item of a format-2 archive; absent in version 1. */
export const PXAR_FORMAT_VERSION = 0x730f6c75df16a40dn;
/** hash("__PROXMOX_FORMAT_ENTRY_V2__"): stat of an entry (current layout, 40 bytes). */
export const PXAR_ENTRY = 0xd5956474e588acefn;
/** hash("__PROXMOX_FORMAT_ENTRY__"): stat of an entry, old layout (32 bytes, mtime in ns). */
export const PXAR_ENTRY_V1 = 0x11da850a1c1cceffn;
/** hash("__PROXMOX_FORMAT_PRELUDE__") */
export const PXAR_PRELUDE = 0xe309d79d9f7b771bn;
/** hash("__PROXMOX_FORMAT_FILENAME__") */
export const PXAR_FILENAME = 0x16701121063917b3n;
/** hash("__PROXMOX_FORMAT_SYMLINK__") */
export const PXAR_SYMLINK = 0x27f971e7dbf5dc5fn;
/** hash("__PROXMOX_FORMAT_DEVICE__") */
export const PXAR_DEVICE = 0x9fc9e906586d5ce9n;
/** hash("__PROXMOX_FORMAT_XATTR__") */
export const PXAR_XATTR = 0x0dab0229b57dcd03n;
/** hash("__PROXMOX_FORMAT_ACL_USER__") */
export const PXAR_ACL_USER = 0x2ce8540a457d55b8n;
/** hash("__PROXMOX_FORMAT_ACL_GROUP__") */
export const PXAR_ACL_GROUP = 0x136e3eceb04c03abn;
/** hash("__PROXMOX_FORMAT_ACL_GROUP_OBJ__") */
export const PXAR_ACL_GROUP_OBJ = 0x10868031e9582876n;
/** hash("__PROXMOX_FORMAT_ACL_DEFAULT__") */
export const PXAR_ACL_DEFAULT = 0xbbbb13415a6896f5n;
/** hash("__PROXMOX_FORMAT_ACL_DEFAULT_USER__") */
export const PXAR_ACL_DEFAULT_USER = 0xc89357b40532cd1fn;
/** hash("__PROXMOX_FORMAT_ACL_DEFAULT_GROUP__") */
export const PXAR_ACL_DEFAULT_GROUP = 0xf90a8a5816038ffen;
/** hash("__PROXMOX_FORMAT_FCAPS__") */
export const PXAR_FCAPS = 0x2da9dd9db5f7fb67n;
/** hash("__PROXMOX_FORMAT_QUOTA_PROJID__") */
export const PXAR_QUOTA_PROJID = 0xe07540e82f7d1cbbn;
/** hash("__PROXMOX_FORMAT_HARDLINK__") */
export const PXAR_HARDLINK = 0x51269c8422bd7275n;
/** hash("__PROXMOX_FORMAT_PXAR_PAYLOAD__"): a regular file's contents follow. */
export const PXAR_PAYLOAD = 0x28147a1b0b7c1a25n;
/** hash("__PROXMOX_FORMAT_PXAR_PAYLOAD_REF__"): a file's contents are in the payload stream (v2). */
export const PXAR_PAYLOAD_REF = 0x419d3d6bc4ba977en;
/** hash("__PROXMOX_FORMAT_GOODBYE__") */
export const PXAR_GOODBYE = 0x2fec4fa642d5731dn;
/** hash("__PROXMOX_FORMAT_PXAR_GOODBYE_TAIL_MARKER__"): the hash field of a goodbye table's last item. */
export const PXAR_GOODBYE_TAIL_MARKER = 0xef5eed5b753e1555n;
/** hash("__PROXMOX_FORMAT_PXAR_PAYLOAD_START_MARKER__"): first header of a payload stream (.ppxar). */
export const PXAR_PAYLOAD_START_MARKER = 0x834c68c2194a4ed2n;
/** hash("__PROXMOX_FORMAT_PXAR_PAYLOAD_TAIL_MARKER__"): last header of a payload stream. */
export const PXAR_PAYLOAD_TAIL_MARKER = 0x6c72b78b984c81b5n;

/** Each item type with its name and the string it is the hash of, for messages and the derivation test. */
export const PXAR_ITEM_TYPES: ReadonlyArray<readonly [bigint, string, string]> = [
  [PXAR_FORMAT_VERSION, 'FORMAT_VERSION', '__PROXMOX_FORMAT_VERSION__'],
  [PXAR_ENTRY, 'ENTRY', '__PROXMOX_FORMAT_ENTRY_V2__'],
  [PXAR_ENTRY_V1, 'ENTRY_V1', '__PROXMOX_FORMAT_ENTRY__'],
  [PXAR_PRELUDE, 'PRELUDE', '__PROXMOX_FORMAT_PRELUDE__'],
  [PXAR_FILENAME, 'FILENAME', '__PROXMOX_FORMAT_FILENAME__'],
  [PXAR_SYMLINK, 'SYMLINK', '__PROXMOX_FORMAT_SYMLINK__'],
  [PXAR_DEVICE, 'DEVICE', '__PROXMOX_FORMAT_DEVICE__'],
  [PXAR_XATTR, 'XATTR', '__PROXMOX_FORMAT_XATTR__'],
  [PXAR_ACL_USER, 'ACL_USER', '__PROXMOX_FORMAT_ACL_USER__'],
  [PXAR_ACL_GROUP, 'ACL_GROUP', '__PROXMOX_FORMAT_ACL_GROUP__'],
  [PXAR_ACL_GROUP_OBJ, 'ACL_GROUP_OBJ', '__PROXMOX_FORMAT_ACL_GROUP_OBJ__'],
  [PXAR_ACL_DEFAULT, 'ACL_DEFAULT', '__PROXMOX_FORMAT_ACL_DEFAULT__'],
  [PXAR_ACL_DEFAULT_USER, 'ACL_DEFAULT_USER', '__PROXMOX_FORMAT_ACL_DEFAULT_USER__'],
  [PXAR_ACL_DEFAULT_GROUP, 'ACL_DEFAULT_GROUP', '__PROXMOX_FORMAT_ACL_DEFAULT_GROUP__'],
  [PXAR_FCAPS, 'FCAPS', '__PROXMOX_FORMAT_FCAPS__'],
  [PXAR_QUOTA_PROJID, 'QUOTA_PROJID', '__PROXMOX_FORMAT_QUOTA_PROJID__'],
  [PXAR_HARDLINK, 'HARDLINK', '__PROXMOX_FORMAT_HARDLINK__'],
  [PXAR_PAYLOAD, 'PAYLOAD', '__PROXMOX_FORMAT_PXAR_PAYLOAD__'],
  [PXAR_PAYLOAD_REF, 'PAYLOAD_REF', '__PROXMOX_FORMAT_PXAR_PAYLOAD_REF__'],
  [PXAR_GOODBYE, 'GOODBYE', '__PROXMOX_FORMAT_GOODBYE__'],
  [PXAR_GOODBYE_TAIL_MARKER, 'GOODBYE_TAIL_MARKER', '__PROXMOX_FORMAT_PXAR_GOODBYE_TAIL_MARKER__'],
  [PXAR_PAYLOAD_START_MARKER, 'PAYLOAD_START_MARKER', '__PROXMOX_FORMAT_PXAR_PAYLOAD_START_MARKER__'],
  [PXAR_PAYLOAD_TAIL_MARKER, 'PAYLOAD_TAIL_MARKER', '__PROXMOX_FORMAT_PXAR_PAYLOAD_TAIL_MARKER__'],
];

/** `ENTRY header (d5956474e588acef)` or `unknown header (…)`, for error messages. */
export function itemTypeName(htype: bigint): string {
  const known = PXAR_ITEM_TYPES.find(([t]) => t === htype);
  return `${known ? known[1] : 'unknown'} header (${htype.toString(16).padStart(16, '0')})`;
}
