// The files of a VM disk image as one FileTree. With a partition table, '/' lists the partitions as
// part1, part2, … (their numbers in the table) with their type and filesystem, and '/part2/etc' is
// inside partition 2; an image without a table but with a filesystem shows that filesystem at '/'.
// ext2/3/4 and FAT are read; other filesystems are listed with what they are and why they cannot be
// opened (FS_UNSUPPORTED only when one tries to go inside). Opening reads the partition table and
// the first 68 KiB of each partition; a filesystem is opened when a path first goes into it.
import { RestoreError } from '../../shared/errors.ts';
import { openExt } from './extTree.ts';
import { openFat } from './fatTree.ts';
import type { ByteReader, FileEntry, FileTree } from './fileTree.ts';
import { probeFilesystem, type FsProbe } from './fsProbe.ts';
import { pathNames } from './treeRead.ts';
import { readPartitionTable, type Partition, type PartitionTable } from './partitionTable.ts';
import { sliceReader } from './volume.ts';

export interface ImageLayout {
  /** 'gpt' or 'mbr'; 'none' for a bare filesystem (or an image where nothing was recognised). */
  scheme: 'gpt' | 'mbr' | 'none';
  /** What was noticed while reading the table (a damaged primary GPT, …). */
  warnings: string[];
  partitions: Array<Partition & { probe?: FsProbe }>;
  /** The filesystem of an unpartitioned image. */
  bare?: FsProbe;
}

/** A FileTree of an image, with the layout it was built from. */
export interface ImageTree extends FileTree {
  readonly layout: ImageLayout;
}

const READS = 'Restore Console reads ext2/3/4 and FAT';

/** Why the files of a volume cannot be listed, in words; undefined when they can. */
export function unsupportedReason(probe: FsProbe | undefined): string | undefined {
  if (!probe) return `no known filesystem (${READS})`;
  if (probe.readable) return undefined;
  if (probe.fs === 'swap') return 'Linux swap: holds no files';
  if (probe.fs === 'LVM2_member') return `LVM physical volume: not supported (${READS}; restore the disk to reach its logical volumes)`;
  return `${probe.name}: not supported (${READS})`;
}

/** Read the partition table (or find the bare filesystem) and what each partition holds. */
export async function readImageLayout(image: ByteReader, signal?: AbortSignal): Promise<ImageLayout> {
  // A FAT or NTFS boot sector also ends in 0x55AA: recognise a bare filesystem before taking sector 0 for an MBR.
  const head = await probeFilesystem(image, signal);
  if (head && ['vfat', 'ntfs', 'exfat', 'BitLocker', 'crypto_LUKS'].includes(head.fs)) return { scheme: 'none', warnings: [], partitions: [], bare: head };
  const table: PartitionTable | undefined = await readPartitionTable(image, signal);
  if (!table) return { scheme: 'none', warnings: [], partitions: [], ...(head ? { bare: head } : {}) };
  const partitions = await Promise.all(
    table.partitions.map(async (p) => {
      if (p.problem || p.size === 0) return p;
      const probe = await probeFilesystem(sliceReader(image, p.offset, p.size), signal);
      return probe ? { ...p, probe } : p;
    }),
  );
  return { scheme: table.scheme, warnings: table.warnings, partitions };
}

/** The FileTree of a disk image: partitions at '/', or the bare filesystem. */
export async function openImageTree(image: ByteReader, signal?: AbortSignal): Promise<ImageTree> {
  const layout = await readImageLayout(image, signal);
  if (layout.scheme === 'none') {
    const tree = new LazyFs(image, layout.bare, layout.bare?.name ?? 'disk image', '');
    return Object.assign(tree.asTree(), { layout });
  }
  return new PartitionedTree(image, layout);
}

/** A volume's FileTree, opened on first use (or refusing with FS_UNSUPPORTED / FS_INVALID). */
class LazyFs {
  private opened?: Promise<FileTree>;
  private readonly reader: ByteReader;
  private readonly probe: FsProbe | undefined;
  private readonly where: string;
  private readonly prefix: string;
  private readonly problem?: string;

  constructor(reader: ByteReader, probe: FsProbe | undefined, where: string, prefix: string, problem?: string) {
    this.reader = reader;
    this.probe = probe;
    this.where = where;
    this.prefix = prefix;
    this.problem = problem;
  }

  tree(signal?: AbortSignal): Promise<FileTree> {
    if (this.problem) return Promise.reject(new RestoreError('FS_INVALID', `${this.prefix || '/'}: ${this.problem}`));
    const why = unsupportedReason(this.probe);
    if (why) return Promise.reject(new RestoreError('FS_UNSUPPORTED', `${this.prefix || '/'}: ${why}`));
    this.opened ??= (this.probe!.fs === 'vfat' ? openFat : openExt)(this.reader, this.where, this.prefix, signal).catch((e: unknown) => {
      this.opened = undefined;
      throw e;
    });
    return this.opened;
  }

  /** This volume's tree as the whole image's tree (a bare filesystem). */
  asTree(): FileTree {
    return {
      list: async (path, signal) => (await this.tree(signal)).list(path, signal),
      stat: async (path, signal) => (await this.tree(signal)).stat(path, signal),
      read: (path, signal) => this.readFrom(path, signal),
    };
  }

  async *readFrom(inner: string, signal?: AbortSignal): AsyncIterable<Uint8Array> {
    yield* (await this.tree(signal)).read(inner, signal);
  }
}

class PartitionedTree implements ImageTree {
  readonly layout: ImageLayout;
  private readonly volumes = new Map<string, { entry: FileEntry; fs: LazyFs }>();

  constructor(image: ByteReader, layout: ImageLayout) {
    this.layout = layout;
    for (const p of layout.partitions) {
      const name = `part${p.number}`;
      const why = p.problem ?? (p.size === 0 ? 'the partition is empty' : unsupportedReason(p.probe));
      const label = p.name ?? p.probe?.label;
      const entry: FileEntry = {
        name,
        type: 'partition',
        size: p.size,
        mode: 0,
        mtime: 0,
        fs: p.probe?.fs ?? 'unknown',
        partitionType: p.typeName,
        ...(label ? { label } : {}),
        ...(why ? { unsupported: why } : {}),
      };
      const reader = p.problem ? image : sliceReader(image, p.offset, p.size);
      this.volumes.set(name, { entry, fs: new LazyFs(reader, p.probe, `${p.probe?.name ?? 'filesystem'} in ${name}`, `/${name}`, p.problem) });
    }
  }

  private route(path: string): { volume?: { entry: FileEntry; fs: LazyFs }; inner: string } {
    const [first, ...rest] = pathNames(path);
    if (first === undefined) return { inner: '/' };
    const volume = this.volumes.get(first);
    if (!volume) throw new RestoreError('PATH_NOT_FOUND', `/${first}: no such partition (the disk has ${[...this.volumes.keys()].join(', ') || 'none'})`);
    return { volume, inner: `/${rest.join('/')}` };
  }

  async list(path: string, signal?: AbortSignal): Promise<FileEntry[]> {
    const { volume, inner } = this.route(path);
    if (!volume) return [...this.volumes.values()].map((v) => ({ ...v.entry }));
    return (await volume.fs.tree(signal)).list(inner, signal);
  }

  async stat(path: string, signal?: AbortSignal): Promise<FileEntry> {
    const { volume, inner } = this.route(path);
    if (!volume) return { name: '', type: 'dir', size: 0, mode: 0, mtime: 0 };
    if (inner === '/') return { ...volume.entry };
    return (await volume.fs.tree(signal)).stat(inner, signal);
  }

  async *read(path: string, signal?: AbortSignal): AsyncIterable<Uint8Array> {
    const { volume, inner } = this.route(path);
    if (!volume || inner === '/') throw new RestoreError('NOT_A_FILE', `${path} is ${volume ? 'a partition' : 'the disk'}, not a regular file`);
    yield* volume.fs.readFrom(inner, signal);
  }
}
