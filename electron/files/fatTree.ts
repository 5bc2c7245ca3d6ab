// Files of a FAT12/16/32 filesystem as a FileTree (Microsoft's FAT specification; VFAT long names).
// Directory entries are 32 bytes: 8.3 name @0 (first byte 0x00: end, 0xE5: deleted, 0x05: a real
// 0xE5), attributes @11 (0x10 directory, 0x08 volume label, 0x0F a long-name part), case flags @12
// (0x08 base, 0x10 extension in lower case), first cluster high @20 (FAT32) and low @26, write time
// @22 and date @24, size @28. A long name comes as parts before its 8.3 entry, last part first
// (sequence number @0 with 0x40 on the last), 13 UTF-16 units each @1, @14, @28, and the checksum
// of the 8.3 name @13; a broken sequence or checksum falls back to the 8.3 name, as Linux does.
// Cluster chains are followed with the FAT in use; every cluster is checked against the volume, a
// chain must be as long as the file (and a directory at most 65536 entries), and loops are found
// with Brent's algorithm in constant memory. FAT times have no time zone: they are read as UTC.
import { RestoreError } from '../../shared/errors.ts';
import { parseFatBoot, type FatGeometry } from './fatBoot.ts';
import type { ByteReader, FileEntry, FileTree } from './fileTree.ts';
import { NodeTree, type FsDriver } from './nodeTree.ts';
import { checkAbort, readSpans, type Span } from './treeRead.ts';
import { Volume } from './volume.ts';

export interface FatNode {
  dir: boolean;
  /** 0 for an empty file and for the fixed root directory of FAT12/16. */
  cluster: number;
  size: number;
  mtime: number;
  root?: boolean;
}

const ENTRY = 32;
/** A directory holds at most 65536 entries (the specification's limit; Linux enforces it too). */
const DIR_MAX_BYTES = 65536 * ENTRY;

/** Open the FAT filesystem in `reader`; `where` names it in messages, `prefix` its paths. */
export async function openFat(reader: ByteReader, where: string, prefix = '', signal?: AbortSignal): Promise<FileTree> {
  const vol = new Volume(reader, where);
  const g = parseFatBoot(await vol.meta(0, Math.min(512, vol.size), 'boot sector', signal), vol.size);
  if (typeof g === 'string') throw vol.invalid(`boot sector: ${g}`);
  return new NodeTree(new FatDriver(vol, g), prefix);
}

/** FAT date and time (local time of whoever wrote them) as seconds since the epoch, read as UTC. */
export function fatTime(date: number, time: number): number {
  const month = (date >> 5) & 15;
  const day = date & 31;
  if (month < 1 || month > 12 || day < 1) return 0;
  return Date.UTC(1980 + (date >> 9), month - 1, day, time >> 11, (time >> 5) & 63, (time & 31) * 2) / 1000;
}

/** The checksum of an 8.3 name that its long-name parts carry. */
export function shortNameChecksum(name: Buffer): number {
  let sum = 0;
  for (let i = 0; i < 11; i++) sum = (((sum & 1) << 7) + (sum >> 1) + name[i]!) & 0xff;
  return sum;
}

function shortName(e: Buffer): string {
  const raw = Buffer.from(e.subarray(0, 11));
  if (raw[0] === 0x05) raw[0] = 0xe5;
  let base = raw.toString('latin1', 0, 8).trimEnd();
  let ext = raw.toString('latin1', 8, 11).trimEnd();
  if (e[12]! & 0x08) base = base.toLowerCase();
  if (e[12]! & 0x10) ext = ext.toLowerCase();
  return ext ? `${base}.${ext}` : base;
}

/** Reads a directory's 32-byte records in order, joining long-name parts to their entry. */
class DirParser {
  readonly out: Array<[string, FatNode]> = [];
  ended = false;
  private parts: string[] = [];
  private expect = 0;
  private sum = -1;
  private readonly bits32: boolean;
  private readonly bad: (what: string) => RestoreError;

  constructor(bits32: boolean, bad: (what: string) => RestoreError) {
    this.bits32 = bits32;
    this.bad = bad;
  }

  private reset(): void {
    this.parts = [];
    this.expect = 0;
    this.sum = -1;
  }

  push(e: Buffer): void {
    if (this.ended) return;
    const first = e[0]!;
    const attr = e[11]!;
    if (first === 0x00) return void (this.ended = true);
    if (first === 0xe5) return this.reset();
    if ((attr & 0x3f) === 0x0f) return this.longPart(e);
    const lfn = this.expect === 1 && this.parts.length > 0 && this.sum === shortNameChecksum(e) ? this.parts.join('') : undefined;
    this.reset();
    if (attr & 0x08) return; // the volume label
    const name = lfn ?? shortName(e);
    if (name === '.' || name === '..' || name === '' || name.includes('/') || name.includes('\0')) return;
    const dir = (attr & 0x10) !== 0;
    const cluster = (this.bits32 ? e.readUInt16LE(20) * 65536 : 0) + e.readUInt16LE(26);
    if (dir && cluster === 0) throw this.bad(`directory ${JSON.stringify(name)} has no first cluster`);
    this.out.push([name, { dir, cluster, size: dir ? 0 : e.readUInt32LE(28), mtime: fatTime(e.readUInt16LE(24), e.readUInt16LE(22)) }]);
  }

  private longPart(e: Buffer): void {
    const ord = e[0]! & 0x1f;
    if (e[0]! & 0x40) {
      this.reset();
      if (ord === 0 || ord > 20) return;
      this.parts = new Array<string>(ord).fill('');
      this.sum = e[13]!;
    } else if (ord !== this.expect - 1 || e[13] !== this.sum || ord === 0) {
      return this.reset();
    }
    this.expect = ord;
    const units = Buffer.concat([e.subarray(1, 11), e.subarray(14, 26), e.subarray(28, 32)]).toString('utf16le');
    this.parts[ord - 1] = units.split('\0')[0]!;
    // A part cut short by 0x0000 must be the last one (the name ends there).
    if (units.includes('\0') && ord !== this.parts.length) this.reset();
  }
}

class FatDriver implements FsDriver<FatNode, FatNode> {
  private readonly vol: Volume;
  private readonly g: FatGeometry;
  private readonly eoc: number;

  constructor(vol: Volume, g: FatGeometry) {
    this.vol = vol;
    this.g = g;
    this.eoc = g.bits === 12 ? 0xff8 : g.bits === 16 ? 0xfff8 : 0x0ffffff8;
  }

  async root(): Promise<FatNode> {
    return { dir: true, cluster: this.g.bits === 32 ? this.g.rootCluster : 0, size: 0, mtime: 0, root: true };
  }

  async load(ref: FatNode): Promise<FatNode> {
    return ref;
  }

  dirKey(node: FatNode): number {
    return node.cluster;
  }

  entry(name: string, node: FatNode): FileEntry {
    return { name, type: node.dir ? 'dir' : 'file', size: node.size, mode: 0, mtime: node.mtime };
  }

  async names(dir: FatNode, signal?: AbortSignal): Promise<Array<[string, FatNode]>> {
    const parser = new DirParser(this.g.bits === 32, (what) => this.vol.invalid(what));
    if (dir.root && this.g.bits !== 32) {
      const region = await this.vol.data(this.g.rootOffset, this.g.rootEntries * ENTRY, 'root directory', signal);
      for (let at = 0; at < region.length && !parser.ended; at += ENTRY) parser.push(region.subarray(at, at + ENTRY));
      return parser.out;
    }
    const cs = this.g.clusterSize;
    for await (const run of this.chain(dir.cluster, undefined, `directory at cluster ${dir.cluster}`, signal)) {
      for (let c = 0; c < run.count && !parser.ended; c++) {
        const data = await this.vol.meta(this.clusterOffset(run.cluster + c), cs, `directory at cluster ${dir.cluster}`, signal);
        for (let at = 0; at < data.length && !parser.ended; at += ENTRY) parser.push(data.subarray(at, at + ENTRY));
      }
      if (parser.ended) break;
    }
    return parser.out;
  }

  async *content(node: FatNode, signal?: AbortSignal): AsyncIterable<Uint8Array> {
    if (node.size === 0) return;
    const cs = this.g.clusterSize;
    const need = Math.ceil(node.size / cs);
    if (need > this.g.clusterCount) throw this.vol.invalid(`file at cluster ${node.cluster}: size ${node.size} is larger than the volume`);
    const what = `file at cluster ${node.cluster}`;
    const spans = async function* (this: FatDriver): AsyncGenerator<Span> {
      let pos = 0;
      for await (const run of this.chain(node.cluster, need, what, signal)) {
        const length = Math.min(node.size - pos, run.count * cs);
        yield { offset: this.clusterOffset(run.cluster), length };
        pos += length;
      }
    };
    yield* readSpans(
      (offset, length, s) => this.vol.data(offset, length, what, s),
      spans.call(this),
      (got, wanted, at) => this.vol.invalid(`${what}: ${got} of ${wanted} bytes at byte ${at}`),
      signal,
    );
  }

  private clusterOffset(cluster: number): number {
    return this.g.dataOffset + (cluster - 2) * this.g.clusterSize;
  }

  /** A 64 KiB window of the FAT kept between calls: walking a chain reads each page once, synchronously after that. */
  private window?: { start: number; bytes: Buffer };

  private entryOffset(cluster: number): number {
    const { bits, fatOffset } = this.g;
    return fatOffset + (bits === 12 ? cluster + (cluster >> 1) : cluster * (bits / 8));
  }

  /** The FAT entry of `cluster` when the window holds it. */
  private cached(cluster: number): number | undefined {
    const w = this.window;
    if (!w) return undefined;
    const at = this.entryOffset(cluster) - w.start;
    if (at < 0 || at + (this.g.bits === 32 ? 4 : 2) > w.bytes.length) return undefined;
    if (this.g.bits === 12) {
      const v = w.bytes.readUInt16LE(at);
      return cluster & 1 ? v >> 4 : v & 0xfff;
    }
    return this.g.bits === 16 ? w.bytes.readUInt16LE(at) : w.bytes.readUInt32LE(at) & 0x0fffffff;
  }

  private async next(cluster: number, signal?: AbortSignal): Promise<number> {
    const hit = this.cached(cluster);
    if (hit !== undefined) return hit;
    // Aligned to 512 bytes, so that a FAT12 entry across a 64 KiB boundary is inside the window.
    const offset = this.entryOffset(cluster);
    const start = offset - (offset % 512);
    const length = Math.min(64 * 1024, this.g.fatOffset + this.g.fatBytes - start);
    this.window = { start, bytes: await this.vol.meta(start, length, 'FAT', signal) };
    return this.cached(cluster)!;
  }

  /**
   * Runs of adjacent clusters of the chain from `first`: exactly `need` clusters (FS_INVALID when
   * the chain is shorter), or up to the end-of-chain mark for a directory (`need` undefined).
   */
  private async *chain(first: number, need: number | undefined, what: string, signal?: AbortSignal): AsyncGenerator<{ cluster: number; count: number }> {
    const cap = need ?? Math.ceil(DIR_MAX_BYTES / this.g.clusterSize);
    const last = this.g.clusterCount + 1;
    let cur = first;
    let n = 0;
    // Brent: the hare is `cur`; the tortoise jumps to it after 1, 2, 4, … steps; meeting it again is a loop.
    let tortoise = first;
    let power = 1;
    let lam = 0;
    let run = { cluster: first, count: 0 };
    while (true) {
      checkAbort(signal);
      if (cur < 2 || cur > last) throw this.vol.invalid(`${what}: the cluster chain points to cluster ${cur}, outside 2…${last}`);
      if (run.count > 0 && cur === run.cluster + run.count) run.count++;
      else {
        if (run.count > 0) yield run;
        run = { cluster: cur, count: 1 };
      }
      if (++n === need) break;
      const next = this.cached(cur) ?? (await this.next(cur, signal));
      if (next >= this.eoc) {
        if (need !== undefined) throw this.vol.invalid(`${what}: the cluster chain ends after ${n} of ${need} clusters`);
        break;
      }
      if (n >= cap) throw this.vol.invalid(`${what}: the directory is longer than 65536 entries (or its chain loops)`);
      if (next === tortoise) throw this.vol.invalid(`${what}: the cluster chain loops (back to cluster ${next})`);
      if (++lam === power) {
        tortoise = next;
        power *= 2;
        lam = 0;
      }
      cur = next;
    }
    yield run;
  }
}
