// The FAT boot sector (BIOS parameter block), after Microsoft's FAT specification ("FAT: General
// Overview of On-Disk Format") and Linux's fs/fat/inode.c, which decide the same things:
//   @11 bytes per sector (512–4096) | @13 sectors per cluster (power of 2) | @14 reserved sectors
//   @16 number of FATs | @17 root entries (0 on FAT32) | @19 total sectors (16-bit, 0 → @32)
//   @21 media (0xF0, 0xF8–0xFF) | @22 sectors per FAT (16-bit, 0 on FAT32 → @36)
//   FAT12/16: @38 boot signature 0x29, @43 volume label[11]
//   FAT32: @36 sectors per FAT, @40 flags (bit 7: only FAT number bits 0–3 is active), @42 version 0,
//          @44 root directory cluster, @66 boot signature, @71 volume label[11]
// FAT32 is the BPB with a 16-bit FAT size of 0 (as Linux decides); otherwise fewer than 4085
// clusters make FAT12, more FAT16. Every derived offset is checked against the volume's size.

export interface FatGeometry {
  bits: 12 | 16 | 32;
  sectorSize: number;
  clusterSize: number;
  /** Byte offset and length of the FAT in use. */
  fatOffset: number;
  fatBytes: number;
  /** FAT12/16: the fixed root directory region (bytes) and its number of entries. */
  rootOffset: number;
  rootEntries: number;
  /** FAT32: the first cluster of the root directory. */
  rootCluster: number;
  /** Byte offset of cluster 2. */
  dataOffset: number;
  /** Clusters 2 … clusterCount + 1 exist. */
  clusterCount: number;
  /** Bytes the BPB says the volume has. */
  volumeBytes: number;
  label?: string;
}

const pow2 = (n: number): boolean => n > 0 && (n & (n - 1)) === 0;

/** The geometry of a FAT boot sector, or why the sector is not one (a string). */
export function parseFatBoot(b: Buffer, volumeSize: number): FatGeometry | string {
  if (b.length < 512) return 'too small for a boot sector';
  const sectorSize = b.readUInt16LE(11);
  const perCluster = b[13]!;
  const reserved = b.readUInt16LE(14);
  const fats = b[16]!;
  const rootEntries = b.readUInt16LE(17);
  const total = b.readUInt16LE(19) || b.readUInt32LE(32);
  const media = b[21]!;
  const fat16Size = b.readUInt16LE(22);
  if (![512, 1024, 2048, 4096].includes(sectorSize)) return `bytes per sector ${sectorSize}`;
  if (!pow2(perCluster)) return `sectors per cluster ${perCluster}`;
  if (reserved < 1 || fats < 1 || fats > 4) return `reserved sectors ${reserved}, FATs ${fats}`;
  if (media !== 0xf0 && media < 0xf8) return `media byte 0x${media.toString(16)}`;
  if (total === 0) return 'no total sector count';
  const bits32 = fat16Size === 0;
  const fatSectors = bits32 ? b.readUInt32LE(36) : fat16Size;
  if (fatSectors === 0) return 'no FAT size';
  if (bits32 && (rootEntries !== 0 || b.readUInt16LE(42) !== 0)) return 'FAT32 with root entries or an unknown version';
  const rootSectors = Math.ceil((rootEntries * 32) / sectorSize);
  const dataSector = reserved + fats * fatSectors + rootSectors;
  if (dataSector >= total) return 'no room for data after the FATs';
  const clusterCount = Math.floor((total - dataSector) / perCluster);
  const bits: 12 | 16 | 32 = bits32 ? 32 : clusterCount < 4085 ? 12 : 16;
  const fatBytes = fatSectors * sectorSize;
  // The FAT must have an entry for every cluster (entries 0 and 1 are reserved).
  if (Math.floor((fatBytes * 8) / bits) < clusterCount + 2) return `a FAT of ${fatBytes} bytes cannot hold ${clusterCount} clusters`;
  const activeFat = bits32 && b[40]! & 0x80 ? b[40]! & 0x0f : 0;
  if (activeFat >= fats) return `active FAT ${activeFat} of ${fats}`;
  const rootCluster = bits32 ? b.readUInt32LE(44) : 0;
  if (bits32 && (rootCluster < 2 || rootCluster > clusterCount + 1)) return `root cluster ${rootCluster}`;
  const sigAt = bits32 ? 66 : 38;
  const labelText = b[sigAt] === 0x29 ? b.toString('latin1', sigAt + 5, sigAt + 16).trimEnd() : '';
  const geometry: FatGeometry = {
    bits,
    sectorSize,
    clusterSize: perCluster * sectorSize,
    fatOffset: (reserved + activeFat * fatSectors) * sectorSize,
    fatBytes,
    rootOffset: (reserved + fats * fatSectors) * sectorSize,
    rootEntries,
    rootCluster,
    dataOffset: dataSector * sectorSize,
    clusterCount,
    volumeBytes: total * sectorSize,
    ...(labelText && labelText !== 'NO NAME' ? { label: labelText } : {}),
  };
  if (geometry.dataOffset > volumeSize) return `data region at byte ${geometry.dataOffset} lies outside the ${volumeSize}-byte volume`;
  return geometry;
}
