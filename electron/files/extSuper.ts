// The ext2/3/4 superblock (1024 bytes at byte 1024) and where the group descriptors are, after the
// kernel's Documentation/filesystems/ext4/ and e2fsprogs' lib/ext2fs. Fields used:
//   @0 inodes count | @4 blocks count (low) | @20 first data block | @24 log2(block size) − 10
//   @32 blocks per group | @40 inodes per group | @56 magic 0xEF53 | @76 revision (0: 128-byte
//   inodes, first inode 11) | @84 first inode | @88 inode size | @92/@96/@100 compat / incompat /
//   read-only compat features | @120 volume name[16] | @254 descriptor size (64bit) |
//   @260 first meta block group | @336 blocks count (high, 64bit)
// Group descriptors follow the superblock's block (meta_bg: at the start of each meta group);
// a descriptor gives its group's inode table at @8 (low) and @40 (high, when 64 bytes or more).
// Read-only compat features never stop a reader; unknown incompat ones do.
import { RestoreError } from '../../shared/errors.ts';
import type { Volume } from './volume.ts';

export const EXT_MAGIC = 0xef53;

const COMPAT_HAS_JOURNAL = 0x4;
const RO_COMPAT_SPARSE_SUPER = 0x1;
const RO_COMPAT_EXT4 = 0x8 | 0x10 | 0x20 | 0x40 | 0x400; // huge_file, gdt_csum, dir_nlink, extra_isize, metadata_csum
export const INCOMPAT = {
  COMPRESSION: 0x1,
  FILETYPE: 0x2,
  RECOVER: 0x4,
  JOURNAL_DEV: 0x8,
  META_BG: 0x10,
  EXTENTS: 0x40,
  BIT64: 0x80,
  MMP: 0x100,
  FLEX_BG: 0x200,
  EA_INODE: 0x400,
  DIRDATA: 0x1000,
  CSUM_SEED: 0x2000,
  LARGEDIR: 0x4000,
  INLINE_DATA: 0x8000,
  ENCRYPT: 0x10000,
  CASEFOLD: 0x20000,
} as const;
const INCOMPAT_READABLE =
  INCOMPAT.FILETYPE | INCOMPAT.RECOVER | INCOMPAT.META_BG | INCOMPAT.EXTENTS | INCOMPAT.BIT64 | INCOMPAT.MMP | INCOMPAT.FLEX_BG |
  INCOMPAT.EA_INODE | INCOMPAT.CSUM_SEED | INCOMPAT.LARGEDIR | INCOMPAT.INLINE_DATA | INCOMPAT.ENCRYPT | INCOMPAT.CASEFOLD;

export interface ExtSuper {
  kind: 'ext2' | 'ext3' | 'ext4';
  blockSize: number;
  blocksCount: number;
  firstDataBlock: number;
  blocksPerGroup: number;
  inodesPerGroup: number;
  inodesCount: number;
  inodeSize: number;
  groups: number;
  descSize: number;
  incompat: number;
  firstMetaBg: number;
  sparseSuper: boolean;
  label?: string;
}

/** ext2, ext3 or ext4, decided from the features as blkid does. */
export function extKind(sb: Buffer): 'ext2' | 'ext3' | 'ext4' {
  const incompat = sb.readUInt32LE(96);
  const ro = sb.readUInt32LE(100);
  if (incompat & (INCOMPAT.EXTENTS | INCOMPAT.BIT64 | INCOMPAT.FLEX_BG) || ro & RO_COMPAT_EXT4) return 'ext4';
  return sb.readUInt32LE(92) & COMPAT_HAS_JOURNAL ? 'ext3' : 'ext2';
}

/** The volume name (superblock @120), if set. */
export function extLabel(sb: Buffer): string | undefined {
  return sb.toString('utf8', 120, 136).split('\0')[0] || undefined;
}

const pow2 = (n: number): boolean => n > 0 && (n & (n - 1)) === 0;

/** Parse and check the superblock (the 1024 bytes at byte 1024 of the volume). */
export function parseExtSuper(sb: Buffer, vol: Volume): ExtSuper {
  const bad = (what: string): RestoreError => vol.invalid(`superblock: ${what}`);
  if (sb.readUInt16LE(56) !== EXT_MAGIC) throw bad('no ext2/3/4 magic');
  const logBlock = sb.readUInt32LE(24);
  if (logBlock > 6) throw bad(`block size 2^${logBlock + 10}`);
  const blockSize = 1024 << logBlock;
  const incompat = sb.readUInt32LE(96);
  const unsupported = incompat & ~INCOMPAT_READABLE;
  if (unsupported) {
    const names = Object.entries(INCOMPAT).filter(([, v]) => unsupported & v).map(([k]) => k.toLowerCase());
    throw new RestoreError('FS_UNSUPPORTED', `${vol.where}: uses features Restore Console cannot read (${names.join(', ') || `0x${unsupported.toString(16)}`})`);
  }
  const bit64 = (incompat & INCOMPAT.BIT64) !== 0;
  const blocksCount = sb.readUInt32LE(4) + (bit64 ? sb.readUInt32LE(336) * 2 ** 32 : 0);
  const firstDataBlock = sb.readUInt32LE(20);
  const blocksPerGroup = sb.readUInt32LE(32);
  const inodesPerGroup = sb.readUInt32LE(40);
  const inodesCount = sb.readUInt32LE(0);
  const rev = sb.readUInt32LE(76);
  const inodeSize = rev === 0 ? 128 : sb.readUInt16LE(88);
  const descSize = bit64 ? sb.readUInt16LE(254) : 32;
  if (!Number.isSafeInteger(blocksCount * blockSize) || blocksCount === 0) throw bad(`${blocksCount} blocks`);
  if (firstDataBlock >= blocksCount || firstDataBlock > 1) throw bad(`first data block ${firstDataBlock}`);
  if (blocksPerGroup === 0 || blocksPerGroup > 8 * blockSize) throw bad(`${blocksPerGroup} blocks per group`);
  if (inodesPerGroup === 0 || inodesPerGroup > 8 * blockSize) throw bad(`${inodesPerGroup} inodes per group`);
  if (!pow2(inodeSize) || inodeSize < 128 || inodeSize > blockSize) throw bad(`inode size ${inodeSize}`);
  if (!pow2(descSize) || descSize < 32 || descSize > blockSize) throw bad(`group descriptor size ${descSize}`);
  const groups = Math.ceil((blocksCount - firstDataBlock) / blocksPerGroup);
  if (inodesCount > groups * inodesPerGroup || inodesCount < 11) throw bad(`${inodesCount} inodes in ${groups} groups`);
  return {
    kind: extKind(sb),
    blockSize,
    blocksCount,
    firstDataBlock,
    blocksPerGroup,
    inodesPerGroup,
    inodesCount,
    inodeSize,
    groups,
    descSize,
    incompat,
    firstMetaBg: incompat & INCOMPAT.META_BG ? sb.readUInt32LE(260) : Number.MAX_SAFE_INTEGER,
    sparseSuper: (sb.readUInt32LE(100) & RO_COMPAT_SPARSE_SUPER) !== 0,
    ...(extLabel(sb) ? { label: extLabel(sb) } : {}),
  };
}

/** Whether group `g` holds a backup of the superblock (and descriptors): 0, 1 and powers of 3, 5, 7 with sparse_super. */
function hasSuper(s: ExtSuper, g: number): boolean {
  if (!s.sparseSuper || g <= 1) return true;
  for (const base of [3, 5, 7]) {
    let p = base;
    while (p < g) p *= base;
    if (p === g) return true;
  }
  return false;
}

/** Byte offset of group `g`'s descriptor. */
export function descriptorOffset(s: ExtSuper, g: number): number {
  const perBlock = s.blockSize / s.descSize;
  const descBlock = Math.floor(g / perBlock);
  let block: number;
  if (descBlock < s.firstMetaBg) {
    block = s.firstDataBlock + 1 + descBlock;
  } else {
    // meta_bg: each meta group's descriptor block sits in its first group, after a superblock backup.
    const first = descBlock * perBlock;
    block = s.firstDataBlock + first * s.blocksPerGroup + (hasSuper(s, first) ? 1 : 0);
  }
  return block * s.blockSize + (g % perBlock) * s.descSize;
}
