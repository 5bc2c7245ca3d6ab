// ext2/3/4 inodes and where their bytes are (kernel Documentation/filesystems/ext4/, e2fsprogs).
// Inode fields used: @0 mode | @2 uid (low) | @4 size (low) | @16 mtime (signed) | @24 gid (low) |
// @32 flags | @40 i_block[60] | @108 size (high) | @120/@122 uid/gid (high) | @128 extra size |
// @136 mtime extra (2 epoch bits, 30 nanosecond bits). i_block holds, by flag:
//   extents (0x80000): a 12-byte header (magic 0xF30A, entries, max, depth) and up to four entries;
//     leaves map (logical @0, length @4 — over 32768 means unwritten —, start high @6, low @8),
//     index entries point to a block holding the next level (logical @0, block low @4, high @8);
//   inline data (0x10000000): the first 60 bytes, the rest in the in-inode attribute system.data;
//   otherwise the block map: 12 direct pointers, then single, double and triple indirect blocks.
// A pointer of 0 is a hole (reads as zeros), as are unwritten extents.
// Nothing is trusted: inode numbers, tables and every block pointer are checked against the
// filesystem, extent trees must be well-formed, ordered and at most 5 deep, and walks stop at the
// file's size, so a hostile image costs at most the reads its claimed size allows.
import type { ExtSuper } from './extSuper.ts';
import { descriptorOffset, INCOMPAT } from './extSuper.ts';
import type { Volume } from './volume.ts';
import { checkAbort } from './treeRead.ts';

export const FLAG = { ENCRYPT: 0x800, EXTENTS: 0x80000, INLINE_DATA: 0x10000000 } as const;
export const S_IFMT = 0xf000;
export const S_IFDIR = 0x4000;
export const S_IFREG = 0x8000;
export const S_IFLNK = 0xa000;

export interface ExtInode {
  ino: number;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  flags: number;
  /** The 60 bytes of i_block. */
  block: Buffer;
  /** The whole on-disk inode (for in-inode attributes). */
  raw: Buffer;
}

export interface Ext {
  vol: Volume;
  sb: ExtSuper;
}

/** A run of mapped blocks: `count` blocks from logical block `logical` stored from block `physical`. */
export interface Run {
  logical: number;
  physical: number;
  count: number;
}

const MAX_DEPTH = 5;

/** Read and check inode `ino`. */
export async function loadInode(ext: Ext, ino: number, signal?: AbortSignal): Promise<ExtInode> {
  const { vol, sb } = ext;
  if (!Number.isInteger(ino) || ino < 1 || ino > sb.inodesCount) throw vol.invalid(`inode number ${ino} is outside 1…${sb.inodesCount}`);
  const group = Math.floor((ino - 1) / sb.inodesPerGroup);
  const desc = await vol.meta(descriptorOffset(sb, group), sb.descSize, `group ${group} descriptor`, signal);
  const table = desc.readUInt32LE(8) + (sb.descSize >= 64 ? desc.readUInt32LE(40) * 2 ** 32 : 0);
  const tableBlocks = Math.ceil((sb.inodesPerGroup * sb.inodeSize) / sb.blockSize);
  if (table < 1 || table + tableBlocks > sb.blocksCount) throw vol.invalid(`group ${group}: inode table at block ${table} lies outside the filesystem`);
  const at = table * sb.blockSize + ((ino - 1) % sb.inodesPerGroup) * sb.inodeSize;
  const raw = await vol.meta(at, sb.inodeSize, `inode ${ino}`, signal);
  const mode = raw.readUInt16LE(0);
  const flags = raw.readUInt32LE(32);
  const sizeHigh = raw.readUInt32LE(108);
  const isDir = (mode & S_IFMT) === S_IFDIR;
  const high = isDir && !(sb.incompat & INCOMPAT.LARGEDIR) ? 0 : sizeHigh;
  if (high >= 2 ** 21) throw vol.invalid(`inode ${ino}: size ${high} × 2^32 is too large`);
  let mtime = raw.readInt32LE(16);
  const extra = sb.inodeSize > 128 ? raw.readUInt16LE(128) : 0;
  if (extra >= 12 && 128 + extra <= sb.inodeSize) {
    const x = raw.readUInt32LE(136);
    mtime += (x & 3) * 2 ** 32 + (x >>> 2) / 1e9;
  }
  return {
    ino,
    mode,
    uid: raw.readUInt16LE(2) | (raw.readUInt16LE(120) << 16),
    gid: raw.readUInt16LE(24) | (raw.readUInt16LE(122) << 16),
    size: raw.readUInt32LE(4) + high * 2 ** 32,
    mtime,
    flags,
    block: raw.subarray(40, 100),
    raw,
  };
}

/** The inline bytes of an inline-data inode: i_block, then the value of system.data. */
export function inlineData(ext: Ext, inode: ExtInode): Buffer {
  const extra = ext.sb.inodeSize > 128 ? inode.raw.readUInt16LE(128) : 0;
  const start = 128 + extra;
  const raw = inode.raw;
  const bad = (what: string) => ext.vol.invalid(`inode ${inode.ino}: inline data: ${what}`);
  let value: Buffer = Buffer.alloc(0);
  if (start + 4 <= raw.length && raw.readUInt32LE(start) === 0xea020000) {
    const base = start + 4;
    let at = base;
    while (at + 16 <= raw.length && raw.readUInt32LE(at) !== 0) {
      const nameLen = raw[at]!;
      const index = raw[at + 1]!;
      const valueOffs = raw.readUInt16LE(at + 2);
      const valueSize = raw.readUInt32LE(at + 8);
      if (at + 16 + nameLen > raw.length) throw bad('attribute name runs past the inode');
      if (index === 7 && raw.toString('latin1', at + 16, at + 16 + nameLen) === 'data') {
        if (raw.readUInt32LE(at + 4) !== 0 || base + valueOffs + valueSize > raw.length) throw bad('system.data lies outside the inode');
        value = raw.subarray(base + valueOffs, base + valueOffs + valueSize);
        break;
      }
      at += (16 + nameLen + 3) & ~3;
    }
  }
  return Buffer.concat([inode.block, value]);
}

/** The highest logical block count a file of this inode's mapping can have. */
export function maxBlocks(ext: Ext, inode: ExtInode): number {
  if (inode.flags & FLAG.EXTENTS) return 2 ** 32;
  const p = ext.sb.blockSize / 4;
  return 12 + p + p * p + p * p * p;
}

/**
 * The mapped blocks of an inode among its first `limit` logical blocks, in logical order; the
 * gaps are holes. Adjacent blocks come merged into one run.
 */
export async function* blockRuns(ext: Ext, inode: ExtInode, limit: number, signal?: AbortSignal): AsyncGenerator<Run> {
  const source = inode.flags & FLAG.EXTENTS ? extentRuns(ext, inode, limit, signal) : mappedBlocks(ext, inode, limit, signal);
  let pending: Run | undefined;
  for await (const r of source) {
    if (pending && pending.logical + pending.count === r.logical && pending.physical + pending.count === r.physical) {
      pending.count += r.count;
      continue;
    }
    if (pending) yield pending;
    pending = { ...r };
  }
  if (pending) yield pending;
}

function checkBlocks(ext: Ext, inode: ExtInode, physical: number, count: number): void {
  if (physical < 1 || physical + count > ext.sb.blocksCount) {
    throw ext.vol.invalid(`inode ${inode.ino}: block ${physical}${count > 1 ? `+${count}` : ''} lies outside the filesystem (${ext.sb.blocksCount} blocks)`);
  }
}

async function* extentRuns(ext: Ext, inode: ExtInode, limit: number, signal?: AbortSignal): AsyncGenerator<Run> {
  // `next`: the first logical block not yet covered; extents must come in increasing order, which
  // also means no node can be visited twice to any effect (each visit must make progress).
  const state = { next: 0 };
  yield* extentNode(ext, inode, inode.block, undefined, state, limit, signal);
}

async function* extentNode(
  ext: Ext,
  inode: ExtInode,
  node: Buffer,
  expectDepth: number | undefined,
  state: { next: number },
  limit: number,
  signal?: AbortSignal,
): AsyncGenerator<Run> {
  checkAbort(signal);
  const bad = (what: string) => ext.vol.invalid(`inode ${inode.ino}: extent tree: ${what}`);
  if (node.readUInt16LE(0) !== 0xf30a) throw bad('bad magic');
  const entries = node.readUInt16LE(2);
  const max = node.readUInt16LE(4);
  const depth = node.readUInt16LE(6);
  if (entries > max || 12 + max * 12 > node.length) throw bad(`${entries} of ${max} entries do not fit a ${node.length}-byte node`);
  if (depth > MAX_DEPTH || (expectDepth !== undefined && depth !== expectDepth)) throw bad(`depth ${depth} where ${expectDepth ?? `at most ${MAX_DEPTH}`} was expected`);
  if (expectDepth !== undefined && entries === 0) throw bad('empty node below the root');
  for (let i = 0; i < entries; i++) {
    const e = node.subarray(12 + i * 12, 24 + i * 12);
    const logical = e.readUInt32LE(0);
    if (logical < state.next) throw bad(`logical block ${logical} comes after ${state.next} (out of order or overlapping)`);
    if (logical >= limit) return;
    if (depth === 0) {
      const raw = e.readUInt16LE(4);
      const unwritten = raw > 32768;
      const count = unwritten ? raw - 32768 : raw;
      if (count === 0) throw bad('extent of length 0');
      const physical = e.readUInt16LE(6) * 2 ** 32 + e.readUInt32LE(8);
      checkBlocks(ext, inode, physical, count);
      state.next = logical + count;
      if (!unwritten) yield { logical, physical, count };
    } else {
      const child = e.readUInt16LE(8) * 2 ** 32 + e.readUInt32LE(4);
      checkBlocks(ext, inode, child, 1);
      const block = await ext.vol.meta(child * ext.sb.blockSize, ext.sb.blockSize, `inode ${inode.ino} extent node`, signal);
      yield* extentNode(ext, inode, block, depth - 1, state, limit, signal);
    }
  }
}

async function* mappedBlocks(ext: Ext, inode: ExtInode, limit: number, signal?: AbortSignal): AsyncGenerator<Run> {
  const p = ext.sb.blockSize / 4;
  for (let i = 0; i < 12 && i < limit; i++) {
    const ptr = inode.block.readUInt32LE(i * 4);
    if (ptr === 0) continue;
    checkBlocks(ext, inode, ptr, 1);
    yield { logical: i, physical: ptr, count: 1 };
  }
  let base = 12;
  for (let level = 1; level <= 3 && base < limit; level++) {
    yield* indirect(ext, inode, inode.block.readUInt32LE((11 + level) * 4), level, base, limit, signal);
    base += p ** level;
  }
}

async function* indirect(ext: Ext, inode: ExtInode, ptr: number, level: number, base: number, limit: number, signal?: AbortSignal): AsyncGenerator<Run> {
  if (ptr === 0) return; // a hole the size of the whole subtree
  checkAbort(signal);
  checkBlocks(ext, inode, ptr, 1);
  const p = ext.sb.blockSize / 4;
  const span = p ** (level - 1);
  const block = await ext.vol.meta(ptr * ext.sb.blockSize, ext.sb.blockSize, `inode ${inode.ino} indirect block`, signal);
  // A block of data pointers: adjacent ones become one run here (a file written in one go is contiguous).
  let run: Run | undefined;
  for (let j = 0; j < p && base + j * span < limit; j++) {
    const child = block.readUInt32LE(j * 4);
    if (child === 0) continue;
    if (level > 1) {
      yield* indirect(ext, inode, child, level - 1, base + j * span, limit, signal);
      continue;
    }
    checkBlocks(ext, inode, child, 1);
    if (run && run.logical + run.count === base + j && run.physical + run.count === child) {
      run.count++;
      continue;
    }
    if (run) yield run;
    run = { logical: base + j, physical: child, count: 1 };
  }
  if (run) yield run;
}
