// What a partition (or a whole unpartitioned image) holds, from the magic numbers at the start of
// it, as blkid recognises them. Only ext2/3/4 and FAT are read; the others are named so that the
// partition list says what is there and that it cannot be browsed. One read of the first 68 KiB
// covers every magic below except ZFS's, which is looked for only when nothing else matched.
import { extKind, extLabel, EXT_MAGIC, INCOMPAT } from './extSuper.ts';
import { parseFatBoot } from './fatBoot.ts';
import type { ByteReader } from './fileTree.ts';
import { checkAbort } from './treeRead.ts';
import { asBuffer } from './volume.ts';

export interface FsProbe {
  /** blkid's TYPE name: 'ext4', 'vfat', 'xfs', 'LVM2_member', 'swap', … */
  fs: string;
  /** In words: 'ext4', 'FAT32', 'XFS', 'LVM physical volume'. */
  name: string;
  /** Restore Console can list and read its files. */
  readable: boolean;
  /** The volume label, when there is one. */
  label?: string;
}

const HEAD = 68 * 1024;

type Magic = { at: number; bytes: string } | { at: number; u32le: number };

/** Filesystems and volume formats recognised but not read, in the order they are tried. */
const OTHERS: Array<{ fs: string; name: string; magic: Magic[] }> = [
  { fs: 'crypto_LUKS', name: 'LUKS encrypted volume', magic: [{ at: 0, bytes: 'LUKS\xba\xbe' }] },
  { fs: 'BitLocker', name: 'BitLocker encrypted volume', magic: [{ at: 3, bytes: '-FVE-FS-' }] },
  { fs: 'ntfs', name: 'NTFS', magic: [{ at: 3, bytes: 'NTFS    ' }] },
  { fs: 'exfat', name: 'exFAT', magic: [{ at: 3, bytes: 'EXFAT   ' }] },
  { fs: 'xfs', name: 'XFS', magic: [{ at: 0, bytes: 'XFSB' }] },
  { fs: 'LVM2_member', name: 'LVM physical volume', magic: [0, 1, 2, 3].map((s) => ({ at: s * 512 + 24, bytes: 'LVM2 001' })) },
  { fs: 'linux_raid_member', name: 'Linux RAID member', magic: [{ at: 4096, u32le: 0xa92b4efc }, { at: 0, u32le: 0xa92b4efc }] },
  { fs: 'swap', name: 'Linux swap', magic: [4096, 8192, 16384, 65536].flatMap((p) => ['SWAPSPACE2', 'SWAP-SPACE'].map((bytes) => ({ at: p - 10, bytes }))) },
  { fs: 'btrfs', name: 'Btrfs', magic: [{ at: 65536 + 64, bytes: '_BHRfS_M' }] },
  { fs: 'reiserfs', name: 'ReiserFS', magic: [{ at: 65536 + 52, bytes: 'ReIsEr' }] },
  { fs: 'f2fs', name: 'F2FS', magic: [{ at: 1024, u32le: 0xf2f52010 }] },
  { fs: 'hfsplus', name: 'HFS+', magic: [{ at: 1024, bytes: 'H+' }, { at: 1024, bytes: 'HX' }] },
  { fs: 'apfs', name: 'APFS', magic: [{ at: 32, bytes: 'NXSB' }] },
  { fs: 'ufs', name: 'UFS', magic: [{ at: 8192 + 1372, u32le: 0x19540119 }, { at: 65536 + 1372, u32le: 0x19540119 }] },
  { fs: 'iso9660', name: 'ISO 9660', magic: [{ at: 32769, bytes: 'CD001' }] },
];

function matches(head: Buffer, m: Magic): boolean {
  if ('u32le' in m) return m.at + 4 <= head.length && head.readUInt32LE(m.at) === m.u32le;
  return m.at + m.bytes.length <= head.length && head.toString('latin1', m.at, m.at + m.bytes.length) === m.bytes;
}

/** What the volume holds, or undefined when no known magic matched. */
export async function probeFilesystem(vol: ByteReader, signal?: AbortSignal): Promise<FsProbe | undefined> {
  checkAbort(signal);
  const head = asBuffer(await vol.read(0, Math.min(HEAD, vol.size), signal));
  const probe = probeHead(head, vol.size);
  if (probe || vol.size < 256 * 1024) return probe;
  // ZFS labels: the uberblock ring starts at 128 KiB, uberblocks of 1 KiB or more with magic 0x00bab10c.
  const ring = asBuffer(await vol.read(128 * 1024, 128 * 1024, signal));
  for (let at = 0; at + 8 <= ring.length; at += 1024) {
    if (ring.readUInt32LE(at) === 0x00bab10c || ring.readUInt32BE(at) === 0x00bab10c) return { fs: 'zfs_member', name: 'ZFS pool member', readable: false };
  }
  return undefined;
}

/** The same decision from the first bytes alone (at least 68 KiB when the volume has them). */
export function probeHead(head: Buffer, volumeSize: number): FsProbe | undefined {
  // Encrypted containers and NTFS/exFAT first: their boot sectors could pass a lax FAT check.
  for (const o of OTHERS.slice(0, 4)) if (o.magic.some((m) => matches(head, m))) return { fs: o.fs, name: o.name, readable: false };
  const fat = parseFatBoot(head, volumeSize);
  if (typeof fat !== 'string') return { fs: 'vfat', name: `FAT${fat.bits}`, readable: true, ...(fat.label ? { label: fat.label } : {}) };
  if (head.length >= 2048 && head.readUInt16LE(1024 + 56) === EXT_MAGIC) {
    const sb = head.subarray(1024, 2048);
    const label = extLabel(sb);
    if (sb.readUInt32LE(96) & INCOMPAT.JOURNAL_DEV) return { fs: 'jbd', name: 'ext3/4 external journal', readable: false };
    return { fs: extKind(sb), name: extKind(sb), readable: true, ...(label ? { label } : {}) };
  }
  for (const o of OTHERS.slice(4)) if (o.magic.some((m) => matches(head, m))) return { fs: o.fs, name: o.name, readable: false };
  return undefined;
}
