// The ENTRY item: an entry's stat data. Upstream: proxmox/pxar src/format/mod.rs (Stat, Stat_V1).
//
// ENTRY (current, content 40 bytes, little-endian):
//   0 mode u64  8 flags u64  16 uid u32  20 gid u32
//   24 mtime.secs i64  32 mtime.nanos u32  36 padding u32 (zero)
// ENTRY_V1 (old archives, content 32 bytes): mode u64, flags u64, uid u32, gid u32, mtime u64 in
// nanoseconds since the epoch.
// `mode` is st_mode with Linux's type bits (S_IFMT), fixed by the format whatever the platform.
import { pxarInvalid } from './header.ts';

export const S_IFMT = 0o170000;
export const S_IFSOCK = 0o140000;
export const S_IFLNK = 0o120000;
export const S_IFREG = 0o100000;
export const S_IFBLK = 0o060000;
export const S_IFDIR = 0o040000;
export const S_IFCHR = 0o020000;
export const S_IFIFO = 0o010000;

export const STAT_SIZE = 40;
export const STAT_V1_SIZE = 32;

export interface PxarStat {
  /** st_mode: type and permission bits. */
  mode: number;
  /** pxar feature flags (chattr flags and the like). */
  flags: bigint;
  uid: number;
  gid: number;
  mtimeSecs: number;
  mtimeNanos: number;
}

/** Parse a current-layout ENTRY content (40 bytes). */
export function parseStat(buf: Uint8Array, at: number): PxarStat {
  if (buf.length !== STAT_SIZE) throw pxarInvalid(`ENTRY at offset ${at} has ${buf.length} bytes, expected ${STAT_SIZE}`);
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const nanos = v.getUint32(32, true);
  if (nanos >= 1e9) throw pxarInvalid(`ENTRY at offset ${at} has ${nanos} nanoseconds in its mtime`);
  return {
    mode: mode(v.getBigUint64(0, true), at),
    flags: v.getBigUint64(8, true),
    uid: v.getUint32(16, true),
    gid: v.getUint32(20, true),
    mtimeSecs: Number(v.getBigInt64(24, true)),
    mtimeNanos: nanos,
  };
}

/** Parse an old-layout ENTRY_V1 content (32 bytes). */
export function parseStatV1(buf: Uint8Array, at: number): PxarStat {
  if (buf.length !== STAT_V1_SIZE) throw pxarInvalid(`ENTRY_V1 at offset ${at} has ${buf.length} bytes, expected ${STAT_V1_SIZE}`);
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const ns = v.getBigUint64(24, true);
  return {
    mode: mode(v.getBigUint64(0, true), at),
    flags: v.getBigUint64(8, true),
    uid: v.getUint32(16, true),
    gid: v.getUint32(20, true),
    mtimeSecs: Number(ns / 1_000_000_000n),
    mtimeNanos: Number(ns % 1_000_000_000n),
  };
}

function mode(raw: bigint, at: number): number {
  // st_mode fits 32 bits; larger values are corruption, not a mode.
  if (raw > 0xffffffffn) throw pxarInvalid(`ENTRY at offset ${at} has mode ${raw.toString(8)}, not an st_mode`);
  return Number(raw);
}

export function encodeStat(s: PxarStat): Buffer {
  const out = Buffer.alloc(STAT_SIZE);
  out.writeBigUInt64LE(BigInt(s.mode), 0);
  out.writeBigUInt64LE(s.flags, 8);
  out.writeUInt32LE(s.uid, 16);
  out.writeUInt32LE(s.gid, 20);
  out.writeBigInt64LE(BigInt(s.mtimeSecs), 24);
  out.writeUInt32LE(s.mtimeNanos, 32);
  return out;
}
