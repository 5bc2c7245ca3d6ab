// The fixed records of a zip file (PKWARE APPNOTE.TXT 6.3.x), as our writer uses them. The layout
// follows proxmox-compression's zip.rs (what PBS's "download as zip" writes), which is zip64 from
// the start so that nothing has to be known before the data has gone by:
//
//   local header   50 4B 03 04  version 45, flags bit 3 (sizes and CRC follow the data) and bit 11
//                  (UTF-8 name), sizes 0xFFFFFFFF, extras: zip64 (0x0001, two zero u64) and the
//                  extended timestamp (0x5455: flags 1, mtime as a signed u32 of Unix seconds)
//   file data      stored or raw deflate
//   descriptor     50 4B 07 08  crc32, compressed u64, uncompressed u64 (the zip64 form, because
//                  the local header carried a zip64 extra)
//   …
//   central dir    50 4B 01 02  one per entry, made by 0x032D (Unix, 4.5), real sizes and offset, or
//                  0xFFFFFFFF and a zip64 extra with exactly the fields that overflowed, in the
//                  order uncompressed, compressed, offset; external attributes = st_mode << 16,
//                  plus 0x10 (MS-DOS directory) for directories
//   zip64 end      50 4B 06 06  (only when a count, size or offset overflows 16/32 bits)
//   zip64 locator  50 4B 06 07
//   end            50 4B 05 06  counts, size and offset, or 0xFFFF/0xFFFFFFFF when zip64 holds them
//
// Directories and symlinks have their CRC and size before they are written: their local header
// carries them (no bit 3, no descriptor), stored, version 20. A symlink's data is its target, its
// mode S_IFLNK | 0777 (Info-ZIP's unzip and PBS since 4.0.19 restore it as a link).
// All integers are little-endian. DOS times are written in UTC, as PBS does; the extended
// timestamp carries the exact second for readers that know it.

export const VERSION_ZIP64 = 45;
export const VERSION_PLAIN = 20;
const MADE_BY_UNIX = (3 << 8) | VERSION_ZIP64;
const FLAG_DESCRIPTOR = 1 << 3;
const FLAG_UTF8 = 1 << 11;
export const METHOD_STORE = 0;
export const METHOD_DEFLATE = 8;
const U16_MAX = 0xffff;
const U32_MAX = 0xffffffff;

export const S_IFMT = 0o170000;
export const S_IFREG = 0o100000;
export const S_IFDIR = 0o040000;
export const S_IFLNK = 0o120000;

/** What the central directory needs to know about an entry once it is written. */
export interface ZipEntryRecord {
  name: Uint8Array;
  /** Unix seconds. */
  mtime: number;
  /** Full st_mode (type and permission bits). */
  mode: number;
  method: number;
  /** True when sizes and CRC came after the data (bit 3, zip64 local extra). */
  descriptor: boolean;
  crc: number;
  compressedSize: number;
  size: number;
  offset: number;
}

/** MS-DOS date and time of Unix seconds (UTC), clamped to the years 1980–2107 the format has. */
export function dosDateTime(seconds: number): { date: number; time: number } {
  const min = Date.UTC(1980, 0, 1) / 1000;
  const max = Date.UTC(2107, 11, 31, 23, 59, 58) / 1000;
  const d = new Date(Math.min(Math.max(Math.floor(seconds) || 0, min), max) * 1000);
  return {
    date: ((d.getUTCFullYear() - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | (d.getUTCSeconds() >> 1),
  };
}

/** The extended timestamp extra (mtime only), or nothing when the time does not fit its 32 bits. */
function timestampExtra(seconds: number): Buffer {
  const t = Math.floor(seconds);
  if (!Number.isFinite(t) || t < -0x80000000 || t > 0x7fffffff) return Buffer.alloc(0);
  const b = Buffer.alloc(9);
  b.writeUInt16LE(0x5455, 0);
  b.writeUInt16LE(5, 2);
  b.writeUInt8(1, 4);
  b.writeInt32LE(t, 5);
  return b;
}

export function localHeader(e: ZipEntryRecord): Buffer {
  const { date, time } = dosDateTime(e.mtime);
  const ts = timestampExtra(e.mtime);
  const zip64 = e.descriptor ? 20 : 0;
  const b = Buffer.alloc(30 + e.name.length + zip64 + ts.length);
  b.writeUInt32LE(0x04034b50, 0);
  b.writeUInt16LE(e.descriptor ? VERSION_ZIP64 : VERSION_PLAIN, 4);
  b.writeUInt16LE(FLAG_UTF8 | (e.descriptor ? FLAG_DESCRIPTOR : 0), 6);
  b.writeUInt16LE(e.method, 8);
  b.writeUInt16LE(time, 10);
  b.writeUInt16LE(date, 12);
  b.writeUInt32LE(e.descriptor ? 0 : e.crc, 14);
  b.writeUInt32LE(e.descriptor ? U32_MAX : e.compressedSize, 18);
  b.writeUInt32LE(e.descriptor ? U32_MAX : e.size, 22);
  b.writeUInt16LE(e.name.length, 26);
  b.writeUInt16LE(zip64 + ts.length, 28);
  b.set(e.name, 30);
  let p = 30 + e.name.length;
  if (e.descriptor) {
    // Zero sizes: the real ones are in the descriptor and the central directory.
    b.writeUInt16LE(0x0001, p);
    b.writeUInt16LE(16, p + 2);
    p += 20;
  }
  b.set(ts, p);
  return b;
}

export function dataDescriptor(e: ZipEntryRecord): Buffer {
  const b = Buffer.alloc(24);
  b.writeUInt32LE(0x08074b50, 0);
  b.writeUInt32LE(e.crc, 4);
  b.writeBigUInt64LE(BigInt(e.compressedSize), 8);
  b.writeBigUInt64LE(BigInt(e.size), 16);
  return b;
}

export function centralHeader(e: ZipEntryRecord): Buffer {
  const { date, time } = dosDateTime(e.mtime);
  const ts = timestampExtra(e.mtime);
  // A value equal to 0xFFFFFFFF is itself the "look in zip64" marker, so it moves there too.
  const wide = [e.size, e.compressedSize, e.offset].map((v) => v >= U32_MAX);
  const zip64Fields = [e.size, e.compressedSize, e.offset].filter((_, i) => wide[i]);
  const zip64 = zip64Fields.length ? 4 + 8 * zip64Fields.length : 0;
  const b = Buffer.alloc(46 + e.name.length + zip64 + ts.length);
  const isDir = (e.mode & S_IFMT) === S_IFDIR;
  b.writeUInt32LE(0x02014b50, 0);
  b.writeUInt16LE(MADE_BY_UNIX, 4);
  b.writeUInt16LE(e.descriptor || zip64 ? VERSION_ZIP64 : VERSION_PLAIN, 6);
  b.writeUInt16LE(FLAG_UTF8 | (e.descriptor ? FLAG_DESCRIPTOR : 0), 8);
  b.writeUInt16LE(e.method, 10);
  b.writeUInt16LE(time, 12);
  b.writeUInt16LE(date, 14);
  b.writeUInt32LE(e.crc, 16);
  b.writeUInt32LE(wide[1] ? U32_MAX : e.compressedSize, 20);
  b.writeUInt32LE(wide[0] ? U32_MAX : e.size, 24);
  b.writeUInt16LE(e.name.length, 28);
  b.writeUInt16LE(zip64 + ts.length, 30);
  // comment length, disk number start, internal attributes: 0
  b.writeUInt32LE((((e.mode & 0xffff) << 16) | (isDir ? 0x10 : 0)) >>> 0, 38);
  b.writeUInt32LE(wide[2] ? U32_MAX : e.offset, 42);
  b.set(e.name, 46);
  let p = 46 + e.name.length;
  if (zip64) {
    b.writeUInt16LE(0x0001, p);
    b.writeUInt16LE(zip64 - 4, p + 2);
    zip64Fields.forEach((v, i) => b.writeBigUInt64LE(BigInt(v), p + 4 + 8 * i));
    p += zip64;
  }
  b.set(ts, p);
  return b;
}

/** The end records: zip64 end and locator only when the plain end record cannot hold the values. */
export function endRecords(entries: number, cdOffset: number, cdSize: number): Buffer {
  const needs64 = entries >= U16_MAX || cdOffset >= U32_MAX || cdSize >= U32_MAX;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Math.min(entries, U16_MAX), 8);
  end.writeUInt16LE(Math.min(entries, U16_MAX), 10);
  end.writeUInt32LE(Math.min(cdSize, U32_MAX), 12);
  end.writeUInt32LE(Math.min(cdOffset, U32_MAX), 16);
  if (!needs64) return end;
  const z = Buffer.alloc(56 + 20);
  z.writeUInt32LE(0x06064b50, 0);
  z.writeBigUInt64LE(44n, 4); // size of the rest of this record
  z.writeUInt16LE(MADE_BY_UNIX, 12);
  z.writeUInt16LE(VERSION_ZIP64, 14);
  // this disk and the central directory's disk: 0
  z.writeBigUInt64LE(BigInt(entries), 24);
  z.writeBigUInt64LE(BigInt(entries), 32);
  z.writeBigUInt64LE(BigInt(cdSize), 40);
  z.writeBigUInt64LE(BigInt(cdOffset), 48);
  z.writeUInt32LE(0x07064b50, 56);
  z.writeBigUInt64LE(BigInt(cdOffset + cdSize), 64); // where the zip64 end record starts
  z.writeUInt32LE(1, 72); // total number of disks
  return Buffer.concat([z, end]);
}
