// A FileTree over a filesystem driver (ext, FAT): path resolution, the errors for wrong paths, and
// a bounded cache of directory name tables, so that extracting a folder of many files does not
// rescan its directory from the disk for every file it reads.
import { RestoreError } from '../../shared/errors.ts';
import type { FileEntry, FileTree } from './fileTree.ts';
import { checkAbort, pathNames } from './treeRead.ts';

/** What a filesystem reader provides; R is a directory entry's reference, N a loaded node. */
export interface FsDriver<R, N> {
  root(signal?: AbortSignal): Promise<N>;
  /** A directory's entries in on-disk order, without '.' and '..'; names never contain '/' or NUL. */
  names(dir: N, signal?: AbortSignal): Promise<Array<[string, R]>>;
  load(ref: R, signal?: AbortSignal): Promise<N>;
  entry(name: string, node: N): FileEntry;
  /** A regular file's bytes in pieces of bounded size. */
  content(node: N, signal?: AbortSignal): AsyncIterable<Uint8Array>;
  /** Identifies a directory for the cache (an inode number, a first cluster). */
  dirKey(node: N): number;
}

const CACHE_NAMES = 200_000;
const LOAD_CONCURRENCY = 8;

export class NodeTree<R, N> implements FileTree {
  private readonly driver: FsDriver<R, N>;
  /** Prefix of paths in messages ('/part2' inside an image). */
  private readonly prefix: string;
  private rootNode?: Promise<N>;
  private readonly dirs = new Map<number, { list: Array<[string, R]>; byName: Map<string, R> }>();
  private cachedNames = 0;

  constructor(driver: FsDriver<R, N>, prefix = '') {
    this.driver = driver;
    this.prefix = prefix;
  }

  async list(path: string, signal?: AbortSignal): Promise<FileEntry[]> {
    const { node, shown } = await this.resolve(pathNames(path), signal);
    const dir = await this.directory(node, shown, signal);
    const out = new Array<FileEntry>(dir.list.length);
    let next = 0;
    let failed = false;
    const worker = async (): Promise<void> => {
      while (next < dir.list.length && !failed) {
        const i = next++;
        const [name, ref] = dir.list[i]!;
        try {
          out[i] = this.driver.entry(name, await this.driver.load(ref, signal));
        } catch (e) {
          failed = true;
          throw e;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(LOAD_CONCURRENCY, dir.list.length) }, worker));
    return out;
  }

  async stat(path: string, signal?: AbortSignal): Promise<FileEntry> {
    const parts = pathNames(path);
    const { node } = await this.resolve(parts, signal);
    return this.driver.entry(parts.at(-1) ?? '', node);
  }

  async *read(path: string, signal?: AbortSignal): AsyncIterable<Uint8Array> {
    const parts = pathNames(path);
    const { node, shown } = await this.resolve(parts, signal);
    const e = this.driver.entry(parts.at(-1) ?? '', node);
    if (e.type !== 'file') throw new RestoreError('NOT_A_FILE', `${shown} is a ${e.type === 'dir' ? 'directory' : e.type}, not a regular file`);
    yield* this.driver.content(node, signal);
  }

  private async resolve(parts: string[], signal?: AbortSignal): Promise<{ node: N; shown: string }> {
    this.rootNode ??= this.driver.root(signal).catch((e: unknown) => {
      this.rootNode = undefined;
      throw e;
    });
    let node = await this.rootNode;
    let shown = this.prefix || '/';
    for (const [i, name] of parts.entries()) {
      checkAbort(signal);
      const dir = await this.directory(node, shown, signal);
      shown = `${this.prefix}/${parts.slice(0, i + 1).join('/')}`;
      const ref = dir.byName.get(name);
      if (ref === undefined) throw new RestoreError('PATH_NOT_FOUND', `${shown}: no such file or directory`);
      node = await this.driver.load(ref, signal);
    }
    return { node, shown };
  }

  private async directory(node: N, shown: string, signal?: AbortSignal): Promise<{ list: Array<[string, R]>; byName: Map<string, R> }> {
    const e = this.driver.entry('', node);
    if (e.type !== 'dir') {
      const what = e.type === 'symlink' ? `a symlink (to ${e.target ?? '?'})` : `a ${e.type}`;
      throw new RestoreError('NOT_A_DIRECTORY', `${shown} is ${what}, not a directory`);
    }
    const key = this.driver.dirKey(node);
    const hit = this.dirs.get(key);
    if (hit) {
      this.dirs.delete(key);
      this.dirs.set(key, hit);
      return hit;
    }
    const list = await this.driver.names(node, signal);
    const byName = new Map<string, R>();
    // The first of two equal names wins, as a linear lookup in the directory would find it.
    for (const [name, ref] of list) if (!byName.has(name)) byName.set(name, ref);
    const dir = { list, byName };
    this.dirs.set(key, dir);
    this.cachedNames += list.length;
    while (this.cachedNames > CACHE_NAMES && this.dirs.size > 1) {
      const [oldKey, old] = this.dirs.entries().next().value!;
      this.dirs.delete(oldKey);
      this.cachedNames -= old.list.length;
    }
    return dir;
  }
}
