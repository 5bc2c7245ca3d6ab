// A pxar archive (format 1, or the metadata + payload pair of format 2) as a FileTree (see
// docs/file-archives.md). Paths are resolved one name at a time through the goodbye tables
// (pbs/pxar/accessor.ts), so listing or reading one folder touches only the chunks that hold it.
// A hardlink is listed as type 'hardlink' with its target's path and the target's size, mode,
// owner and mtime (it has none of its own); reading a hardlink reads the target's contents.
import { RestoreError } from '../../shared/errors.ts';
import { PxarAccessor, type PxarEntry } from '../pbs/pxar/accessor.ts';
import type { ByteReader, FileEntry, FileTree } from './fileTree.ts';
import { pathNames, readSpans } from './treeRead.ts';

function toFileEntry(e: PxarEntry, target?: PxarEntry): FileEntry {
  const stat = (target ?? e).stat;
  const out: FileEntry = {
    name: e.name,
    type: e.kind,
    size: e.kind === 'hardlink' ? (target?.size ?? 0) : e.size,
    mode: stat?.mode ?? 0,
    mtime: stat ? stat.mtimeSecs + stat.mtimeNanos / 1e9 : 0,
  };
  if (stat) {
    out.uid = stat.uid;
    out.gid = stat.gid;
  }
  if (e.kind === 'symlink') out.target = e.symlinkTarget!;
  if (e.kind === 'hardlink') out.target = `/${e.hardlink!.target.replace(/^\/+/, '')}`;
  return out;
}

class PxarTree implements FileTree {
  private readonly acc: PxarAccessor;

  constructor(acc: PxarAccessor) {
    this.acc = acc;
  }

  private async resolve(path: string, signal?: AbortSignal): Promise<PxarEntry> {
    let entry = this.acc.root;
    const names = pathNames(path);
    for (const [i, name] of names.entries()) {
      if (entry.kind !== 'dir') throw new RestoreError('NOT_A_DIRECTORY', `/${names.slice(0, i).join('/')} is not a directory (in ${path})`);
      const next = await this.acc.lookup(entry, name, signal);
      if (!next) throw new RestoreError('PATH_NOT_FOUND', `${path}: no ${name} in /${names.slice(0, i).join('/')}`);
      entry = next;
    }
    return entry;
  }

  private async describe(e: PxarEntry, signal?: AbortSignal): Promise<FileEntry> {
    return toFileEntry(e, e.kind === 'hardlink' ? await this.acc.hardlinkTarget(e, signal) : undefined);
  }

  async list(path: string, signal?: AbortSignal): Promise<FileEntry[]> {
    const dir = await this.resolve(path, signal);
    if (dir.kind !== 'dir') throw new RestoreError('NOT_A_DIRECTORY', `${path} is a ${dir.kind}, not a directory`);
    const out: FileEntry[] = [];
    for (const e of await this.acc.list(dir, signal)) out.push(await this.describe(e, signal));
    return out;
  }

  async stat(path: string, signal?: AbortSignal): Promise<FileEntry> {
    return this.describe(await this.resolve(path, signal), signal);
  }

  async *read(path: string, signal?: AbortSignal): AsyncIterable<Uint8Array> {
    let file = await this.resolve(path, signal);
    if (file.kind === 'hardlink') file = await this.acc.hardlinkTarget(file, signal);
    if (file.kind !== 'file') throw new RestoreError('NOT_A_FILE', `${path} is a ${file.kind}, not a regular file`);
    const { input, start, end } = await this.acc.contents(file, signal);
    yield* readSpans(
      (offset, length, sig) => input.read(offset, length, sig),
      [{ offset: start, length: end - start }],
      (got, wanted, at) => new RestoreError('PXAR_INVALID', `pxar archive: ${path} is cut off at byte ${at - start + got} of ${end - start}`),
      signal,
    );
  }
}

/**
 * Open a pxar archive as a FileTree: `meta` is the whole archive (format 1, `*.pxar.didx`) or the
 * metadata stream (format 2, `*.mpxar.didx`) with `payload` its payload stream (`*.ppxar.didx`).
 */
export async function openPxarTree(meta: ByteReader, payload?: ByteReader, signal?: AbortSignal): Promise<FileTree> {
  return new PxarTree(await PxarAccessor.open(meta, payload, signal));
}
