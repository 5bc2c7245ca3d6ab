// Files of an ext2/3/4 filesystem as a FileTree (read-only; the journal is not replayed, so a
// filesystem that was not cleanly unmounted shows its last checkpointed state, as `debugfs` does).
// Directories are read linearly, block by block: hashed (htree) directories keep ordinary entries in
// their leaf blocks, and their index blocks look like empty entries, so a linear reader sees every
// name. Entries: rec_len @4 (multiple of 4, within the block), name length @6 (one byte with the
// filetype feature, whose type byte @7 is ignored: the inode says what an entry is), name @8.
// Hardlinks are just more names for an inode.
import type { FileEntry, FileEntryType, ByteReader, FileTree } from './fileTree.ts';
import { RestoreError } from '../../shared/errors.ts';
import { parseExtSuper, INCOMPAT } from './extSuper.ts';
import { blockRuns, FLAG, inlineData, loadInode, maxBlocks, S_IFDIR, S_IFLNK, S_IFMT, S_IFREG, type Ext, type ExtInode } from './extInode.ts';
import { NodeTree, type FsDriver } from './nodeTree.ts';
import { checkAbort, readSpans, type Span } from './treeRead.ts';
import { Volume } from './volume.ts';

const ROOT_INO = 2;

export interface ExtNode {
  inode: ExtInode;
  target?: string;
}

const TYPES: Record<number, FileEntryType> = {
  [S_IFREG]: 'file',
  [S_IFDIR]: 'dir',
  [S_IFLNK]: 'symlink',
  0x2000: 'device',
  0x6000: 'device',
  0x1000: 'fifo',
  0xc000: 'socket',
};

/** Open the ext2/3/4 filesystem in `reader`; `where` names it in messages ('ext4 in part2'), `prefix` its paths. */
export async function openExt(reader: ByteReader, where: string, prefix = '', signal?: AbortSignal): Promise<FileTree> {
  const vol = new Volume(reader, where);
  const sb = parseExtSuper(await vol.meta(1024, 1024, 'superblock', signal), vol);
  return new NodeTree(new ExtDriver({ vol, sb }), prefix);
}

class ExtDriver implements FsDriver<number, ExtNode> {
  private readonly ext: Ext;

  constructor(ext: Ext) {
    this.ext = ext;
  }

  root(signal?: AbortSignal): Promise<ExtNode> {
    return this.load(ROOT_INO, signal);
  }

  async load(ino: number, signal?: AbortSignal): Promise<ExtNode> {
    const inode = await loadInode(this.ext, ino, signal);
    if (!TYPES[inode.mode & S_IFMT]) throw this.ext.vol.invalid(`inode ${ino} has no valid type (mode 0o${inode.mode.toString(8)}): unused or damaged`);
    if ((inode.mode & S_IFMT) !== S_IFLNK) return { inode };
    return { inode, target: await this.symlinkTarget(inode, signal) };
  }

  entry(name: string, node: ExtNode): FileEntry {
    const { inode } = node;
    const type = TYPES[inode.mode & S_IFMT]!;
    return {
      name,
      type,
      size: type === 'file' ? inode.size : 0,
      mode: inode.mode,
      mtime: inode.mtime,
      uid: inode.uid,
      gid: inode.gid,
      ...(node.target !== undefined ? { target: node.target } : {}),
    };
  }

  dirKey(node: ExtNode): number {
    return node.inode.ino;
  }

  async names(dir: ExtNode, signal?: AbortSignal): Promise<Array<[string, number]>> {
    const { inode } = dir;
    this.refuseEncrypted(inode);
    const out: Array<[string, number]> = [];
    if (inode.flags & FLAG.INLINE_DATA) {
      const data = inlineData(this.ext, inode);
      // The parent's inode number first (the '..' entry), then entries in the rest of i_block and in system.data.
      this.parseBlock(data.subarray(4, 60), inode.ino, out);
      if (data.length > 60) this.parseBlock(data.subarray(60), inode.ino, out);
      return out;
    }
    const bs = this.ext.sb.blockSize;
    if (inode.size > this.ext.sb.blocksCount * bs) throw this.ext.vol.invalid(`directory inode ${inode.ino}: size ${inode.size} is larger than the filesystem`);
    for await (const run of blockRuns(this.ext, inode, Math.ceil(inode.size / bs), signal)) {
      for (let i = 0; i < run.count && (run.logical + i) * bs < inode.size; i++) {
        checkAbort(signal);
        const block = await this.ext.vol.meta((run.physical + i) * bs, bs, `directory inode ${inode.ino}`, signal);
        this.parseBlock(block, inode.ino, out);
      }
    }
    return out;
  }

  private parseBlock(block: Buffer, dirIno: number, out: Array<[string, number]>): void {
    const wideNames = !(this.ext.sb.incompat & INCOMPAT.FILETYPE);
    for (let at = 0; at + 8 <= block.length; ) {
      const ino = block.readUInt32LE(at);
      let recLen = block.readUInt16LE(at + 4);
      if (block.length >= 65536) recLen = recLen === 65535 || recLen === 0 ? 65536 : (recLen & 65532) | ((recLen & 3) << 16);
      const nameLen = wideNames ? block.readUInt16LE(at + 6) : block[at + 6]!;
      if (recLen < 8 || recLen % 4 !== 0 || at + recLen > block.length || (ino !== 0 && 8 + nameLen > recLen)) {
        throw this.ext.vol.invalid(`directory inode ${dirIno}: damaged entry at byte ${at} of a block (record length ${recLen})`);
      }
      if (ino !== 0 && nameLen > 0) {
        const name = block.toString('utf8', at + 8, at + 8 + nameLen);
        if (name !== '.' && name !== '..' && !name.includes('/') && !name.includes('\0')) out.push([name, ino]);
      }
      at += recLen;
    }
  }

  async *content(node: ExtNode, signal?: AbortSignal): AsyncIterable<Uint8Array> {
    yield* this.bytes(node.inode, node.inode.size, signal);
  }

  /** The first `size` bytes of an inode's data: holes and unwritten extents read as zeros. */
  private async *bytes(inode: ExtInode, size: number, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
    this.refuseEncrypted(inode);
    if (inode.flags & FLAG.INLINE_DATA) {
      const data = inlineData(this.ext, inode);
      if (size > data.length) throw this.ext.vol.invalid(`inode ${inode.ino}: size ${size} but ${data.length} bytes of inline data`);
      if (size > 0) yield Buffer.from(data.subarray(0, size));
      return;
    }
    if (size > maxBlocks(this.ext, inode) * this.ext.sb.blockSize) throw this.ext.vol.invalid(`inode ${inode.ino}: size ${size} is more than its block map can address`);
    const what = `inode ${inode.ino} data`;
    yield* readSpans(
      (offset, length, s) => this.ext.vol.data(offset, length, what, s),
      this.spans(inode, size, signal),
      (got, wanted, at) => this.ext.vol.invalid(`${what}: ${got} of ${wanted} bytes at byte ${at}`),
      signal,
    );
  }

  /** Where the first `size` bytes of an inode are: its mapped runs, and holes between them. */
  private async *spans(inode: ExtInode, size: number, signal?: AbortSignal): AsyncGenerator<Span> {
    const bs = this.ext.sb.blockSize;
    let pos = 0;
    for await (const run of blockRuns(this.ext, inode, Math.ceil(size / bs), signal)) {
      const start = Math.min(size, run.logical * bs);
      if (start > pos) yield { zeros: start - pos };
      pos = Math.max(pos, start);
      const end = Math.min(size, (run.logical + run.count) * bs);
      if (end > pos) yield { offset: run.physical * bs + (pos - run.logical * bs), length: end - pos };
      pos = Math.max(pos, end);
    }
    if (size > pos) yield { zeros: size - pos };
  }

  private async symlinkTarget(inode: ExtInode, signal?: AbortSignal): Promise<string> {
    const bs = this.ext.sb.blockSize;
    if (inode.size > bs) throw this.ext.vol.invalid(`symlink inode ${inode.ino}: target of ${inode.size} bytes is longer than a block`);
    if (inode.flags & FLAG.ENCRYPT) return '(encrypted)';
    // Fast symlinks keep the target in i_block itself (e2fsprogs: size < 60, no extents, not inline).
    if (!(inode.flags & (FLAG.EXTENTS | FLAG.INLINE_DATA)) && inode.size < 60) return inode.block.toString('utf8', 0, inode.size);
    const parts: Uint8Array[] = [];
    for await (const piece of this.bytes(inode, inode.size, signal)) parts.push(piece);
    return Buffer.concat(parts).toString('utf8');
  }

  private refuseEncrypted(inode: ExtInode): void {
    if (inode.flags & FLAG.ENCRYPT) {
      throw new RestoreError('FS_UNSUPPORTED', `${this.ext.vol.where}: inode ${inode.ino} is encrypted (fscrypt); its names and contents cannot be read`);
    }
  }
}
