// An in-memory FileTree for tests of what reads FileTrees (zip, extraction, the CLI and service
// plumbing): entries are given one by one, so a test can build what no real archive writer would
// (names with '/', '..', duplicates), files of generated zeros, files that fail while being read,
// and folders that fail to list.
import type { FileEntry, FileEntryType, FileTree } from '../../electron/files/fileTree.ts';
import { RestoreError } from '../../shared/errors.ts';

export interface MemSpec {
  /** Folder the entry is in ('/' for the root). */
  dir: string;
  name: string;
  type: FileEntryType;
  data?: Uint8Array;
  /** Content of this many zero bytes, generated on read. */
  zeros?: number;
  /** Reading fails with CHUNK_MISSING after this many bytes. */
  failAfter?: number;
  /** Listing this folder fails with CHUNK_MISSING. */
  failList?: boolean;
  target?: string;
  mode?: number;
  mtime?: number;
  fs?: string;
}

interface Node {
  entry: FileEntry;
  spec: MemSpec;
  children: Node[];
}

const PIECE = 100 * 1024 + 7;

export class MemTree implements FileTree {
  readonly #root: Node;
  /** Every list() and read() call, for tests of what was touched. */
  readonly calls: string[] = [];
  /** Called and awaited before each piece read() yields (a test cancels or holds reads here). */
  onPiece: (() => void | Promise<void>) | undefined;

  constructor(specs: MemSpec[], rootMtime = 1_600_000_000) {
    this.#root = { entry: { name: '', type: 'dir', size: 0, mode: 0o40755, mtime: rootMtime }, spec: { dir: '', name: '', type: 'dir' }, children: [] };
    for (const s of specs) {
      const parent = this.#find(s.dir);
      if (!parent) throw new Error(`test tree: no folder ${s.dir} for ${s.name}`);
      const size = s.type === 'file' ? (s.zeros ?? s.data?.length ?? 0) : 0;
      const typeBits = { file: 0o100000, dir: 0o40000, symlink: 0o120000, hardlink: 0o100000, device: 0o20000, fifo: 0o10000, socket: 0o140000, partition: 0 }[s.type];
      const entry: FileEntry = {
        name: s.name,
        type: s.type,
        size,
        mode: s.mode === undefined ? typeBits | (s.type === 'dir' ? 0o755 : 0o644) : s.mode,
        mtime: s.mtime ?? 1_650_000_000,
        ...(s.target !== undefined ? { target: s.target } : {}),
        ...(s.fs !== undefined ? { fs: s.fs } : {}),
      };
      parent.children.push({ entry, spec: s, children: [] });
    }
  }

  #find(path: string): Node | undefined {
    let node = this.#root;
    for (const seg of path.split('/').filter(Boolean)) {
      const next = node.children.find((c) => c.entry.name === seg);
      if (!next) return undefined;
      node = next;
    }
    return node;
  }

  #get(path: string): Node {
    const node = this.#find(path);
    if (!node) throw new RestoreError('PATH_NOT_FOUND', `${path}: no such file or folder`);
    return node;
  }

  async list(path: string, signal?: AbortSignal): Promise<FileEntry[]> {
    signal?.throwIfAborted();
    this.calls.push(`list ${path}`);
    const node = this.#get(path);
    if (node.entry.type !== 'dir' && node.entry.type !== 'partition') throw new RestoreError('NOT_A_DIRECTORY', `${path} is not a folder`);
    if (node.spec.failList) throw new RestoreError('CHUNK_MISSING', `listing ${path}: chunk 3 is missing`);
    return node.children.map((c) => ({ ...c.entry }));
  }

  async stat(path: string, signal?: AbortSignal): Promise<FileEntry> {
    signal?.throwIfAborted();
    return { ...this.#get(path).entry };
  }

  async *read(path: string, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
    this.calls.push(`read ${path}`);
    const node = this.#get(path);
    if (node.entry.type !== 'file') throw new RestoreError('NOT_A_FILE', `${path} is not a regular file`);
    const { data, zeros, failAfter } = node.spec;
    const size = node.entry.size;
    const zero = zeros !== undefined ? new Uint8Array(Math.min(4 * 1024 * 1024, zeros)) : undefined;
    const step = zero ? zero.length : PIECE;
    for (let off = 0; off < size; off += step) {
      signal?.throwIfAborted();
      const end = Math.min(size, off + step);
      if (failAfter !== undefined && end > failAfter) {
        throw new RestoreError('CHUNK_MISSING', `reading ${path} at offset ${failAfter}: chunk 7 is missing`);
      }
      await this.onPiece?.();
      yield zero ? zero.subarray(0, end - off) : data!.slice(off, end);
    }
  }
}
