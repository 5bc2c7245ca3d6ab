// Deterministic disk image content for the demo datastore.
//
// A restore is only convincing (and testable byte for byte) when the images look like real disks:
// long runs of never-written zeros that PBS stores once as the zero chunk, compressible text
// (logs, configs), incompressible data (compressed files, databases), partly filled chunks,
// blocks repeated at several offsets, and disks whose size is not a multiple of the chunk size.
// Every byte is a pure function of the disk's seed, the chunk index and the snapshot generation,
// so the same scale produces the same images on every run without storing them anywhere.
import { createCipheriv, createHash } from 'node:crypto';
import { diskLayout, layoutBytes, touchesLayout, type DiskLayout } from './diskLayout.ts';
import type { GuestSpec } from './guestFiles.ts';
import { fillText } from './textContent.ts';

/** 'layout': a chunk holding part of the partition table, the root filesystem's used blocks or the swap header. */
export type ChunkKind = 'zero' | 'text' | 'random' | 'mixed' | 'repeat' | 'layout';

export interface DiskSpec {
  /** Names the content; the same seed yields the same bytes on every run. */
  seed: string;
  size: number;
  chunkSize: number;
  /** 0 for a group's first snapshot; each later generation rewrites a few chunks. */
  generation: number;
  /** Disks of one family share their repeated blocks, as VMs cloned from one template do. */
  family: string;
  /** A boot disk: a GPT with the guest's root filesystem (ext4) and swap; other disks are raw data. */
  guest?: GuestSpec;
}

export interface PlannedChunk {
  kind: ChunkKind;
  /** Identifies the bytes exactly (kind, origin, length): equal ids mean equal content. */
  contentId: string;
  length: number;
  /** 'layout' chunks: the disk's layout and where the chunk starts in the disk. */
  layout?: DiskLayout;
  offset?: number;
}

/** When the demo guests' files were last written (a fixed time: every run makes the same bytes). */
const GUEST_FILES_TIME = Date.UTC(2025, 10, 3, 9, 12, 0) / 1000;
const layouts = new Map<string, DiskLayout>();

/** A boot disk's partitions and filesystem; the same for every generation, so made once per disk. */
function layoutOf(spec: DiskSpec): DiskLayout | undefined {
  if (!spec.guest) return undefined;
  const key = `${spec.seed}\0${spec.size}\0${spec.chunkSize}`;
  let layout = layouts.get(key);
  if (!layout) {
    layout = diskLayout({ seed: spec.seed, size: spec.size, chunkSize: spec.chunkSize, guest: spec.guest, time: GUEST_FILES_TIME });
    layouts.set(key, layout);
  }
  return layout;
}

// Shares of the chunk kinds before the forced positions and later rewrites; zeros end up at
// roughly 35-45 %, a typical thin-provisioned guest disk that is far from full.
const SHARES: Array<[ChunkKind, number]> = [['zero', 0.45], ['text', 0.22], ['random', 0.2], ['mixed', 0.1], ['repeat', 0.05]];
/** Share of chunks a later snapshot rewrites (what a day of a small server changes). */
const CHANGE_RATE = 0.08;
const REPEAT_VARIANTS = 3;

/** A number in [0, 1) derived from the parts; SHA-256 keeps it stable across platforms. */
export function unit(...parts: Array<string | number>): number {
  return createHash('sha256').update(parts.join('\0')).digest().readUInt32BE(0) / 2 ** 32;
}

export function chunkCount(spec: Pick<DiskSpec, 'size' | 'chunkSize'>): number {
  return Math.ceil(spec.size / spec.chunkSize);
}

/** Decide what every chunk of the disk holds, without generating any bytes. */
export function planChunks(spec: DiskSpec): PlannedChunk[] {
  const count = chunkCount(spec);
  // Assign kinds by rank of a per-chunk hash so the shares are exact even for small disks,
  // while the positions still look scattered.
  const rankKey = Array.from({ length: count }, (_, i) => unit(spec.seed, 'rank', i));
  const order = Array.from({ length: count }, (_, i) => i).sort((a, b) => rankKey[a]! - rankKey[b]!);
  const kinds = new Array<ChunkKind>(count);
  let rank = 0;
  for (const i of order) {
    const at = rank++ / count;
    let acc = 0;
    kinds[i] = SHARES.find(([, share]) => at < (acc += share))?.[0] ?? 'repeat';
  }
  // Fixed positions: the first chunk holds the partition table and filesystem metadata (on a boot
  // disk every chunk the layout writes into does, and never changes), a short last chunk must hold
  // data (a short zero chunk would not match the zero digest anyway), and two repeats at known
  // offsets guarantee duplicated non-zero chunks in every larger disk.
  const pinned = new Set<number>([0]);
  kinds[0] = 'text';
  const layout = layoutOf(spec);
  if (spec.size % spec.chunkSize !== 0) {
    kinds[count - 1] = 'text';
    pinned.add(count - 1);
  }
  const forcedRepeats = count >= 6 ? [Math.floor(count / 3), Math.floor((2 * count) / 3)] : [];
  for (const i of forcedRepeats) {
    kinds[i] = 'repeat';
    pinned.add(i);
  }
  const isLayout = (i: number): boolean => layout !== undefined && touchesLayout(layout, i * spec.chunkSize, Math.min(spec.chunkSize, spec.size - i * spec.chunkSize));
  return kinds.map((kind, i) => {
    const length = Math.min(spec.chunkSize, spec.size - i * spec.chunkSize);
    if (isLayout(i)) {
      if (forcedRepeats.includes(i)) throw new Error(`demo disk ${spec.seed}: its layout covers chunk ${i}, a forced repeat`);
      return { kind: 'layout', contentId: `layout:${spec.seed}:${i}:${length}`, length, layout, offset: i * spec.chunkSize };
    }
    // The newest generation that rewrote this chunk; 0 means unchanged since the first backup.
    let version = 0;
    if (!pinned.has(i)) {
      for (let g = 1; g <= spec.generation; g++) if (unit(spec.seed, 'change', g, i) < CHANGE_RATE) version = g;
    }
    if (version > 0) kind = unit(spec.seed, 'rewrite', version, i) < 0.6 ? 'text' : 'random';
    if (kind === 'zero') return { kind, contentId: `zero:${length}`, length };
    if (kind === 'repeat') {
      const variant = forcedRepeats.includes(i) ? 0 : Math.floor(unit(spec.seed, 'variant', i) * REPEAT_VARIANTS);
      return { kind, contentId: `repeat:${spec.family}:${variant}:${length}`, length };
    }
    return { kind, contentId: `${kind}:${spec.seed}:${i}:v${version}:${length}`, length };
  });
}

let zeroBuffer = Buffer.alloc(0);

/** All-zero bytes, views of one shared buffer that only grows; callers only read them. */
function zeros(length: number): Buffer {
  if (zeroBuffer.length < length) zeroBuffer = Buffer.alloc(length);
  return zeroBuffer.subarray(0, length);
}

/**
 * Incompressible bytes: an AES-256-CTR keystream keyed by the content id. Far faster than a JS
 * PRNG and just as deterministic, and zstd cannot shrink it, like real compressed or encrypted files.
 */
export function fillRandom(contentId: string, length: number): Buffer {
  const key = createHash('sha256').update(`restore-console-demo-random\0${contentId}`).digest();
  return createCipheriv('aes-256-ctr', key, Buffer.alloc(16)).update(zeros(length));
}

/** The bytes of one planned chunk. */
export function generateChunk(c: PlannedChunk): Buffer {
  switch (c.kind) {
    case 'zero':
      return zeros(c.length);
    case 'text':
      return fillText(c.contentId, c.length);
    case 'random':
      return fillRandom(c.contentId, c.length);
    case 'mixed': {
      // A partly used extent: data at the start, the rest never written.
      const used = Math.floor(c.length * (0.1 + 0.6 * unit(c.contentId, 'used')));
      const out = Buffer.alloc(c.length);
      (unit(c.contentId, 'what') < 0.5 ? fillRandom : fillText)(c.contentId, used).copy(out);
      return out;
    }
    case 'repeat':
      return repeatedBlock(c.contentId, c.length);
    case 'layout':
      return layoutBytes(c.layout!, c.offset!, c.length);
  }
}

/**
 * Blocks that recur on real disks (a shared library in several snapshots of a layer, a
 * preallocated pattern): a random block, a text block, or a 4 KiB sector repeated to fill.
 */
function repeatedBlock(contentId: string, length: number): Buffer {
  const variant = Number(contentId.split(':')[2]) % REPEAT_VARIANTS;
  if (variant === 0) return fillRandom(contentId, length);
  if (variant === 1) return fillText(contentId, length);
  const sector = fillRandom(contentId, 4096);
  const out = Buffer.allocUnsafe(length);
  for (let off = 0; off < length; off += sector.length) sector.copy(out, off, 0, Math.min(sector.length, length - off));
  return out;
}
