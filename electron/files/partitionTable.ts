// Partition tables of a disk image: GPT (UEFI spec §5.3) and MBR with extended/logical partitions.
//
// GPT: LBA 0 holds a protective MBR (one entry of type 0xEE); LBA 1 the header:
//   "EFI PART" @0, revision @8, header size @12, header CRC32 @16 (over header size bytes, with this
//   field zeroed), my LBA @24, alternate LBA @32, first/last usable LBA @40/@48, disk GUID @56,
//   entries LBA @72, entry count @80, entry size @84, entries CRC32 @88.
// Entries (128 bytes or larger): type GUID @0, unique GUID @16, first LBA @32, last LBA (inclusive)
// @40, attributes @48, name (36 UTF-16LE code units) @56. An all-zero type marks an unused entry.
// The backup header sits in the disk's last LBA with its own copy of the entries; it is used when
// the primary one is damaged. Disks with 4096-byte sectors put the header at byte 4096.
//
// MBR: four 16-byte entries at 446 (status @0 — 0x00 or 0x80 —, type @4, first LBA @8, sector
// count @12), 0x55 0xAA at 510. An extended partition (0x05, 0x0F, 0x85) holds a chain of EBRs:
// each has the logical partition (relative to this EBR) in entry 1 and the next EBR (relative to
// the extended partition's start) in entry 2. Logical partitions are numbered from 5, as Linux does.
//
// Nothing here trusts a count or an offset: entry arrays are bounded, every partition is checked
// against the image's size, and the EBR chain is bounded and loop-checked.
import { crc32 } from 'node:zlib';
import { RestoreError } from '../../shared/errors.ts';
import type { ByteReader } from './fileTree.ts';
import { gptTypeName, MBR_EXTENDED, mbrTypeName } from './partitionTypes.ts';
import { checkAbort } from './treeRead.ts';
import { asBuffer, u64le } from './volume.ts';

export interface Partition {
  /** Its number in the table: the GPT entry's index + 1; MBR 1–4 primary, 5… logical. */
  number: number;
  /** Where it lies in the image, in bytes. */
  offset: number;
  size: number;
  /** The type as stored: a GPT type GUID (upper case) or an MBR type byte ('0x83'). */
  typeId: string;
  /** The type in words ('Linux filesystem', 'EFI System'). */
  typeName: string;
  /** The GPT partition name, when one is set. */
  name?: string;
  /** Why its content cannot be read (it lies partly outside the image); absent when it can. */
  problem?: string;
}

export interface PartitionTable {
  scheme: 'gpt' | 'mbr';
  sectorSize: number;
  partitions: Partition[];
  /** What was noticed but did not stop the reading ("primary GPT header damaged: using the backup"). */
  warnings: string[];
}

const GPT_SIGNATURE = 'EFI PART';
const MAX_GPT_ENTRIES_BYTES = 1 << 20;
const MAX_LOGICAL = 256;

async function readExact(image: ByteReader, offset: number, length: number, signal?: AbortSignal): Promise<Buffer | undefined> {
  if (offset < 0 || offset + length > image.size) return undefined;
  checkAbort(signal);
  const b = await image.read(offset, length, signal);
  return b.length === length ? asBuffer(b) : undefined;
}

/** A GUID in its text form (the first three fields are little-endian). */
export function guidText(b: Buffer): string {
  const hex = (x: Buffer): string => x.toString('hex').toUpperCase();
  const rev = (x: Buffer): string => hex(Buffer.from(x).reverse());
  return `${rev(b.subarray(0, 4))}-${rev(b.subarray(4, 6))}-${rev(b.subarray(6, 8))}-${hex(b.subarray(8, 10))}-${hex(b.subarray(10, 16))}`;
}

function withProblem(p: Partition, imageSize: number): Partition {
  if (p.offset + p.size <= imageSize) return p;
  return { ...p, problem: `partition ${p.number} ends at byte ${p.offset + p.size}, past the end of the ${imageSize}-byte image` };
}

interface GptHeader {
  entriesLba: number;
  count: number;
  entrySize: number;
  entriesCrc: number;
}

/** The GPT header in `sector` read from `lba`, or why it is not a valid one. */
function parseGptHeader(sector: Buffer, lba: number, sectorSize: number, totalSectors: number): GptHeader | string {
  if (sector.toString('latin1', 0, 8) !== GPT_SIGNATURE) return 'no GPT signature';
  const headerSize = sector.readUInt32LE(12);
  if (headerSize < 92 || headerSize > sectorSize) return `header size ${headerSize} is invalid`;
  const copy = Buffer.from(sector.subarray(0, headerSize));
  copy.writeUInt32LE(0, 16);
  if (crc32(copy) !== sector.readUInt32LE(16)) return 'header checksum mismatch';
  if (u64le(sector, 24) !== lba) return `header says it is at LBA ${u64le(sector, 24)}, found at ${lba}`;
  const entriesLba = u64le(sector, 72);
  const count = sector.readUInt32LE(80);
  const entrySize = sector.readUInt32LE(84);
  if (entrySize < 128 || entrySize % 8 !== 0 || entrySize > 4096) return `entry size ${entrySize} is invalid`;
  if (count * entrySize > MAX_GPT_ENTRIES_BYTES) return `${count} entries of ${entrySize} bytes is more than a GPT holds`;
  if (entriesLba === undefined || entriesLba < 1 || entriesLba + Math.ceil((count * entrySize) / sectorSize) > totalSectors) {
    return `partition entries at LBA ${entriesLba} lie outside the disk`;
  }
  return { entriesLba, count, entrySize, entriesCrc: sector.readUInt32LE(88) };
}

async function readGpt(image: ByteReader, sectorSize: number, signal?: AbortSignal): Promise<PartitionTable | undefined> {
  const totalSectors = Math.floor(image.size / sectorSize);
  if (totalSectors < 3) return undefined;
  const tried: string[] = [];
  let signed = false;
  for (const [which, lba] of [['primary', 1], ['backup', totalSectors - 1]] as const) {
    const sector = await readExact(image, lba * sectorSize, sectorSize, signal);
    if (!sector) continue;
    const h = parseGptHeader(sector, lba, sectorSize, totalSectors);
    if (typeof h === 'string') {
      signed ||= sector.toString('latin1', 0, 8) === GPT_SIGNATURE;
      tried.push(`${which} header: ${h}`);
      continue;
    }
    const entries = await readExact(image, h.entriesLba * sectorSize, h.count * h.entrySize, signal);
    if (!entries || crc32(entries) !== h.entriesCrc) {
      signed = true;
      tried.push(`${which} header: partition entries checksum mismatch`);
      continue;
    }
    const warnings = which === 'backup' ? [`the primary GPT is damaged (${tried.join('; ')}); using the backup copy at the end of the disk`] : [];
    return { scheme: 'gpt', sectorSize, partitions: gptEntries(entries, h, sectorSize, image.size), warnings };
  }
  // Only a GPT that announced itself (a signature) and failed is an error; no signature is no GPT.
  if (signed) throw new RestoreError('FS_INVALID', `GPT partition table damaged: ${tried.join('; ')}`);
  return undefined;
}

function gptEntries(entries: Buffer, h: GptHeader, sectorSize: number, imageSize: number): Partition[] {
  const out: Partition[] = [];
  for (let i = 0; i < h.count; i++) {
    const e = entries.subarray(i * h.entrySize, (i + 1) * h.entrySize);
    if (e.subarray(0, 16).every((b) => b === 0)) continue;
    const first = u64le(e, 32);
    const last = u64le(e, 40);
    const typeId = guidText(e.subarray(0, 16));
    const nameRaw = e.toString('utf16le', 56, 128);
    const name = nameRaw.split('\0')[0]!;
    const base = { number: i + 1, typeId, typeName: gptTypeName(typeId), ...(name ? { name } : {}) };
    if (first === undefined || last === undefined || last < first || (last + 1) * sectorSize > Number.MAX_SAFE_INTEGER) {
      out.push({ ...base, offset: 0, size: 0, problem: `partition ${i + 1} has an invalid range (LBA ${first ?? '?'}–${last ?? '?'})` });
      continue;
    }
    out.push(withProblem({ ...base, offset: first * sectorSize, size: (last - first + 1) * sectorSize }, imageSize));
  }
  return out;
}

interface MbrEntry {
  type: number;
  start: number;
  sectors: number;
}

/** The four entries of an MBR or EBR sector, or undefined when it is not one. */
function mbrEntries(sector: Buffer): MbrEntry[] | undefined {
  if (sector[510] !== 0x55 || sector[511] !== 0xaa) return undefined;
  const out: MbrEntry[] = [];
  for (let i = 0; i < 4; i++) {
    const e = sector.subarray(446 + i * 16, 462 + i * 16);
    if (e[0] !== 0 && e[0] !== 0x80) return undefined;
    out.push({ type: e[4]!, start: e.readUInt32LE(8), sectors: e.readUInt32LE(12) });
  }
  return out;
}

const used = (e: MbrEntry): boolean => e.type !== 0 && e.sectors !== 0;

async function readMbr(image: ByteReader, entries: MbrEntry[], signal?: AbortSignal): Promise<PartitionTable> {
  const S = 512;
  const partitions: Partition[] = [];
  const warnings: string[] = [];
  const part = (number: number, e: MbrEntry, base: number): Partition =>
    withProblem({ number, offset: (base + e.start) * S, size: e.sectors * S, typeId: `0x${e.type.toString(16).padStart(2, '0')}`, typeName: mbrTypeName(e.type) }, image.size);
  let extended: MbrEntry | undefined;
  for (const [i, e] of entries.entries()) {
    if (!used(e)) continue;
    if (MBR_EXTENDED.has(e.type)) {
      if (extended) warnings.push(`a second extended partition (entry ${i + 1}) is ignored`);
      else extended = e;
      continue;
    }
    partitions.push(part(i + 1, e, 0));
  }
  if (extended) {
    const seen = new Set<number>();
    let ebr = extended.start;
    let number = 5;
    while (true) {
      checkAbort(signal);
      if (seen.has(ebr) || seen.size >= MAX_LOGICAL || ebr < extended.start || ebr >= extended.start + extended.sectors) {
        throw new RestoreError('FS_INVALID', `MBR: the chain of logical partitions loops or leaves the extended partition (EBR at LBA ${ebr})`);
      }
      seen.add(ebr);
      const sector = await readExact(image, ebr * S, S, signal);
      const [logical, next] = (sector && mbrEntries(sector)) ?? [];
      if (!logical || !next) throw new RestoreError('FS_INVALID', `MBR: the extended boot record at LBA ${ebr} is damaged`);
      if (used(logical)) partitions.push(part(number++, logical, ebr));
      if (!used(next)) break;
      ebr = extended.start + next.start;
    }
  }
  return { scheme: 'mbr', sectorSize: S, partitions, warnings };
}

/**
 * The image's partition table, or undefined when it has none (a bare filesystem, or nothing
 * known). FS_INVALID when a GPT is announced (signature or protective MBR) but both copies are damaged.
 * Callers should ask `looksLikeBootSector` first: a FAT or NTFS boot sector also ends in 0x55AA.
 */
export async function readPartitionTable(image: ByteReader, signal?: AbortSignal): Promise<PartitionTable | undefined> {
  const mbr = await readExact(image, 0, 512, signal);
  if (!mbr) return undefined;
  const entries = mbrEntries(mbr);
  const protective = entries?.some((e) => e.type === 0xee) ?? false;
  let damaged: unknown;
  for (const sectorSize of [512, 4096]) {
    try {
      const gpt = await readGpt(image, sectorSize, signal);
      if (gpt) return gpt;
    } catch (e) {
      damaged ??= e;
    }
  }
  if (damaged) throw damaged;
  if (protective) throw new RestoreError('FS_INVALID', 'the disk has a protective MBR but no readable GPT');
  if (entries && entries.some(used)) return readMbr(image, entries, signal);
  return undefined;
}
