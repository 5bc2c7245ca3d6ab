// The partitioned layout of a demo VM's boot disk, as a Debian installer leaves it on a GPT disk:
// partition 1 "Linux filesystem" (ext4, the root filesystem with the guest's files) and
// partition 2 "Linux swap" at the end, aligned to 1 MiB (the chunk size at the small test scale).
// Only a few byte ranges are written (the GPTs, the filesystem's used head, the swap header); the
// rest of the disk is whatever the chunk generator puts there, as free space on a real disk is.
//
// GPT (UEFI spec §5.3): a protective MBR in LBA 0, the header in LBA 1 and 128 entries of 128 bytes
// from LBA 2; the backup entries and header in the last 33 sectors. Swap: the Linux swap header
// (version 1, last page, UUID) in the first 4 KiB page, "SWAPSPACE2" at its end.
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { writeExt } from './extWriter.ts';
import { guestFiles, type GuestSpec } from './guestFiles.ts';

export interface LayoutRegion {
  offset: number;
  bytes: Buffer;
}

export interface DiskLayout {
  /** Written byte ranges, in order and not overlapping. */
  regions: LayoutRegion[];
  partitions: Array<{ number: number; offset: number; size: number; type: 'root' | 'swap' }>;
}

const MiB = 2 ** 20;
const S = 512;
const LINUX_FS = '0FC63DAF-8483-4772-8E79-3D69D8477DE4';
const LINUX_SWAP = '0657FD6D-A4AB-43C4-84E5-0933C84B4F4F';

/** Sixteen stable bytes shaped as a random (version 4) UUID, in the on-disk (GPT) byte order. */
function uuidBytes(...parts: string[]): Buffer {
  const b = createHash('sha256').update(`restore-console-demo-uuid\0${parts.join('\0')}`).digest().subarray(0, 16);
  b[7] = (b[7]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  return b;
}

/** A GUID's text to its 16 bytes (the first three fields are little-endian on disk). */
function guidToBytes(text: string): Buffer {
  const b = Buffer.from(text.replace(/-/g, ''), 'hex');
  b.subarray(0, 4).reverse();
  b.subarray(4, 6).reverse();
  b.subarray(6, 8).reverse();
  return b;
}

/** A UUID as Linux tools print it (big-endian text of the bytes as stored in a superblock). */
const uuidText = (b: Buffer): string => {
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};

interface GptPart {
  type: string;
  unique: Buffer;
  first: number;
  last: number;
}

function gptHeader(total: number, mine: number, other: number, entriesLba: number, entriesCrc: number, diskGuid: Buffer): Buffer {
  const h = Buffer.alloc(S);
  h.write('EFI PART', 0, 'latin1');
  h.writeUInt32LE(0x00010000, 8);
  h.writeUInt32LE(92, 12);
  h.writeBigUInt64LE(BigInt(mine), 24);
  h.writeBigUInt64LE(BigInt(other), 32);
  h.writeBigUInt64LE(34n, 40);
  h.writeBigUInt64LE(BigInt(total - 34), 48);
  diskGuid.copy(h, 56);
  h.writeBigUInt64LE(BigInt(entriesLba), 72);
  h.writeUInt32LE(128, 80);
  h.writeUInt32LE(128, 84);
  h.writeUInt32LE(entriesCrc, 88);
  h.writeUInt32LE(crc32(h.subarray(0, 92)), 16);
  return h;
}

/** The primary GPT (LBA 0–33) and the backup (the last 33 sectors) of a disk of `total` sectors. */
function gpt(total: number, parts: GptPart[], diskGuid: Buffer): { primary: Buffer; backup: Buffer } {
  const entries = Buffer.alloc(128 * 128);
  parts.forEach((p, i) => {
    const e = entries.subarray(i * 128, (i + 1) * 128);
    guidToBytes(p.type).copy(e, 0);
    p.unique.copy(e, 16);
    e.writeBigUInt64LE(BigInt(p.first), 32);
    e.writeBigUInt64LE(BigInt(p.last), 40);
  });
  const crc = crc32(entries);
  const mbr = Buffer.alloc(S);
  mbr.set([0x00, 0x00, 0x02, 0x00, 0xee, 0xff, 0xff, 0xff], 446);
  mbr.writeUInt32LE(1, 454);
  mbr.writeUInt32LE(Math.min(total - 1, 0xffffffff), 458);
  mbr.writeUInt16BE(0x55aa, 510);
  const primary = Buffer.concat([mbr, gptHeader(total, 1, total - 1, 2, crc, diskGuid), entries]);
  const backup = Buffer.concat([entries, gptHeader(total, total - 1, 1, total - 33, crc, diskGuid)]);
  return { primary, backup };
}

function swapHeader(size: number, uuid: Buffer): Buffer {
  const page = Buffer.alloc(4096);
  page.writeUInt32LE(1, 1024); // version
  page.writeUInt32LE(size / 4096 - 1, 1028); // last page
  uuid.copy(page, 1036);
  page.write('SWAPSPACE2', 4086, 'latin1');
  return page;
}

/** Where the partitions go and the bytes that make them, for a disk of `size` bytes. */
export function diskLayout(spec: { seed: string; size: number; chunkSize: number; guest: GuestSpec; time: number }): DiskLayout {
  if (spec.size % S !== 0) throw new Error(`demo disk ${spec.seed}: size ${spec.size} is not whole sectors`);
  const align = Math.min(MiB, spec.chunkSize);
  const total = spec.size / S;
  const usableEnd = (total - 33) * S;
  const swapSize = Math.max(align, Math.floor(spec.size / 16 / align) * align);
  const swapEnd = Math.floor(usableEnd / align) * align;
  const swapStart = swapEnd - swapSize;
  const rootStart = align;
  if (swapStart - rootStart < 512 * 1024) throw new Error(`demo disk ${spec.seed}: too small for a root filesystem`);

  const rootUuid = uuidBytes(spec.seed, 'root-fs');
  const swapUuid = uuidBytes(spec.seed, 'swap');
  const files = guestFiles(spec.guest, uuidText(rootUuid), uuidText(swapUuid));
  const ext = writeExt({ size: swapStart - rootStart, files, time: spec.time, uuid: rootUuid, label: '' });
  const parts: GptPart[] = [
    { type: LINUX_FS, unique: uuidBytes(spec.seed, 'part1'), first: rootStart / S, last: swapStart / S - 1 },
    { type: LINUX_SWAP, unique: uuidBytes(spec.seed, 'part2'), first: swapStart / S, last: swapEnd / S - 1 },
  ];
  const { primary, backup } = gpt(total, parts, uuidBytes(spec.seed, 'disk'));
  return {
    regions: [
      { offset: 0, bytes: primary },
      { offset: rootStart, bytes: ext.head },
      { offset: swapStart, bytes: swapHeader(swapSize, swapUuid) },
      { offset: usableEnd, bytes: backup },
    ],
    partitions: [
      { number: 1, offset: rootStart, size: swapStart - rootStart, type: 'root' },
      { number: 2, offset: swapStart, size: swapSize, type: 'swap' },
    ],
  };
}

/** The bytes [offset, offset + length) of the disk's written regions (zeros elsewhere). */
export function layoutBytes(layout: DiskLayout, offset: number, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (const r of layout.regions) {
    const from = Math.max(offset, r.offset);
    const to = Math.min(offset + length, r.offset + r.bytes.length);
    if (from < to) r.bytes.copy(out, from - offset, from - r.offset, to - r.offset);
  }
  return out;
}

/** Whether any written region overlaps [offset, offset + length). */
export function touchesLayout(layout: DiskLayout, offset: number, length: number): boolean {
  return layout.regions.some((r) => r.offset < offset + length && offset < r.offset + r.bytes.length);
}

