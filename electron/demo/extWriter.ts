// A small ext4 writer for the demo disks: a real, fsck-clean filesystem holding a guest's few
// files, made in code so the demo needs neither root nor mke2fs on the user's machine.
//
// Layout (kernel Documentation/filesystems/ext4/): the superblock at byte 1024, then — all in the
// first block group, which flex_bg allows — the group descriptors (32 bytes each), every group's
// block bitmap, inode bitmap and inode table, then the directories and files. sparse_super2 with
// no backup groups keeps the other groups free of metadata, so the whole filesystem's metadata
// and content sit in its first few hundred KiB, whatever its size; the rest is free space.
// Features: filetype and flex_bg (incompat), sparse_super2 (compat), extra_isize (ro_compat).
// Files use the classic block map with direct pointers only (at most 12 blocks: the demo's files
// are small); symlinks are fast (target in i_block). Inodes are 256 bytes; 1-10 are reserved,
// 11 is lost+found, as mke2fs makes them.

export interface GuestFile {
  /** Absolute path, e.g. '/etc/hostname'; parent directories are created as needed. */
  path: string;
  kind: 'file' | 'dir' | 'symlink';
  /** File content, or the symlink's target. */
  data?: string;
  /** Permission bits (default 0644 files, 0755 directories, 0777 symlinks). */
  perm?: number;
  uid?: number;
  gid?: number;
}

export interface ExtImage {
  /** The filesystem's first bytes: everything that is not free space. */
  head: Buffer;
  blockSize: number;
  blocksCount: number;
}

const INODE_SIZE = 256;
const INODES_PER_GROUP = 128;
const FIRST_INO = 11;
const ROOT_INO = 2;
const S_IFDIR = 0x4000;
const S_IFREG = 0x8000;
const S_IFLNK = 0xa000;
const FT = { file: 1, dir: 2, symlink: 7 } as const;

interface Node {
  ino: number;
  kind: GuestFile['kind'];
  perm: number;
  uid: number;
  gid: number;
  data: Buffer;
  children: Array<[string, Node]>;
  parent?: Node;
  blocks: number[];
}

/** Build the tree of nodes from the file list, numbering inodes in path order. */
function buildTree(files: GuestFile[]): { all: Node[] } {
  const mk = (kind: GuestFile['kind'], perm: number, data = '', uid = 0, gid = 0): Node => ({ ino: 0, kind, perm, uid, gid, data: Buffer.from(data), children: [], blocks: [] });
  const root = mk('dir', 0o755);
  const lost = mk('dir', 0o700);
  root.children.push(['lost+found', lost]);
  lost.parent = root;
  const dirs = new Map<string, Node>([['', root]]);
  const dirOf = (path: string): Node => {
    let node = dirs.get(path);
    if (node) return node;
    const cut = path.lastIndexOf('/');
    const parent = dirOf(path.slice(0, cut));
    node = mk('dir', 0o755);
    node.parent = parent;
    parent.children.push([path.slice(cut + 1), node]);
    dirs.set(path, node);
    return node;
  };
  for (const f of [...files].sort((a, b) => a.path.localeCompare(b.path))) {
    if (!f.path.startsWith('/') || f.path.endsWith('/')) throw new Error(`demo ext: bad path ${f.path}`);
    if (f.kind === 'dir') {
      const d = dirOf(f.path);
      if (f.perm !== undefined) d.perm = f.perm;
      d.uid = f.uid ?? d.uid;
      d.gid = f.gid ?? d.gid;
      continue;
    }
    const cut = f.path.lastIndexOf('/');
    const parent = dirOf(f.path.slice(0, cut));
    const node = mk(f.kind, f.perm ?? (f.kind === 'symlink' ? 0o777 : 0o644), f.data, f.uid, f.gid);
    node.parent = parent;
    parent.children.push([f.path.slice(cut + 1), node]);
  }
  // Inode numbers: root 2, lost+found 11, then the rest breadth-first.
  root.ino = ROOT_INO;
  lost.ino = FIRST_INO;
  const all: Node[] = [root, lost];
  let next = FIRST_INO + 1;
  for (let i = 0; i < all.length; i++) {
    for (const [, child] of all[i]!.children) {
      if (child.ino === 0) child.ino = next++;
      if (!all.includes(child)) all.push(child);
    }
  }
  return { all };
}

/** The bytes of one directory block: '.', '..', then the children; the last entry fills the block. */
function dirBlock(node: Node, bs: number): Buffer {
  const b = Buffer.alloc(bs);
  const entries: Array<[string, number, number]> = [
    ['.', node.ino, FT.dir],
    ['..', (node.parent ?? node).ino, FT.dir],
    ...node.children.map(([name, c]): [string, number, number] => [name, c.ino, FT[c.kind]]),
  ];
  let at = 0;
  for (const [i, [name, ino, type]] of entries.entries()) {
    const nameBytes = Buffer.from(name);
    const len = i === entries.length - 1 ? bs - at : (8 + nameBytes.length + 3) & ~3;
    if (at + len > bs) throw new Error('demo ext: directory does not fit one block');
    b.writeUInt32LE(ino, at);
    b.writeUInt16LE(len, at + 4);
    b[at + 6] = nameBytes.length;
    b[at + 7] = type;
    nameBytes.copy(b, at + 8);
    at += len;
  }
  return b;
}

/** An ext4 filesystem of `size` bytes holding `files`; returns its first bytes (the rest is free space). */
export function writeExt(opts: { size: number; files: GuestFile[]; time: number; uuid: Buffer; label: string }): ExtImage {
  const bs = opts.size >= 32 * 2 ** 20 ? 4096 : 1024;
  const first = bs === 1024 ? 1 : 0;
  const bpg = 8 * bs;
  let blocksCount = Math.floor(opts.size / bs);
  // A last group of a few blocks is not worth its bitmaps: leave it out, as mke2fs does.
  const tail = (blocksCount - first) % bpg;
  if (tail > 0 && tail < 64) blocksCount -= tail;
  const groups = Math.ceil((blocksCount - first) / bpg);
  const tableBlocks = (INODES_PER_GROUP * INODE_SIZE) / bs;
  const gdt = first + 1;
  const blockBitmaps = gdt + Math.ceil((groups * 32) / bs);
  const inodeBitmaps = blockBitmaps + groups;
  const tables = inodeBitmaps + groups;
  let nextBlock = tables + groups * tableBlocks;

  const { all } = buildTree(opts.files);
  const lastIno = Math.max(...all.map((n) => n.ino));
  if (lastIno > INODES_PER_GROUP) throw new Error('demo ext: too many files for one inode group');
  for (const node of all) {
    if (node.kind === 'dir') node.data = dirBlock(node, bs);
    if (node.kind === 'symlink' && node.data.length < 60) continue; // fast symlink: no blocks
    const count = Math.ceil(node.data.length / bs);
    if (count > 12) throw new Error('demo ext: files are limited to 12 blocks (direct pointers only)');
    node.blocks = Array.from({ length: count }, () => nextBlock++);
  }
  if (nextBlock > first + bpg || nextBlock > blocksCount) throw new Error('demo ext: content does not fit the first group');

  const head = Buffer.alloc(nextBlock * bs);
  const blockAt = (n: number): Buffer => head.subarray(n * bs, (n + 1) * bs);
  const dirsCount = all.filter((n) => n.kind === 'dir').length;

  // Bitmaps: group 0 has every block up to the end of the content in use; the last group's bits
  // past the end of the filesystem, and every inode bitmap's bits past the group, are set.
  const usedInGroup0 = nextBlock - first;
  let freeBlocks = 0;
  for (let g = 0; g < groups; g++) {
    const inGroup = Math.min(bpg, blocksCount - first - g * bpg);
    const bbm = blockAt(blockBitmaps + g);
    const used = g === 0 ? usedInGroup0 : 0;
    for (let i = 0; i < used; i++) bbm[i >> 3]! |= 1 << (i & 7);
    for (let i = inGroup; i < bpg; i++) bbm[i >> 3]! |= 1 << (i & 7);
    const ibm = blockAt(inodeBitmaps + g);
    const inodesUsed = g === 0 ? lastIno : 0;
    for (let i = 0; i < inodesUsed; i++) ibm[i >> 3]! |= 1 << (i & 7);
    for (let i = INODES_PER_GROUP; i < bs * 8; i++) ibm[i >> 3]! |= 1 << (i & 7);
    const d = head.subarray(gdt * bs + g * 32, gdt * bs + g * 32 + 32);
    d.writeUInt32LE(blockBitmaps + g, 0);
    d.writeUInt32LE(inodeBitmaps + g, 4);
    d.writeUInt32LE(tables + g * tableBlocks, 8);
    d.writeUInt16LE(inGroup - used, 12);
    d.writeUInt16LE(INODES_PER_GROUP - inodesUsed, 14);
    d.writeUInt16LE(g === 0 ? dirsCount : 0, 16);
    d.writeUInt16LE(0x4, 18); // INODE_ZEROED: the table is all zeros where unused
    freeBlocks += inGroup - used;
  }

  for (const node of all) {
    const at = tables * bs + (node.ino - 1) * INODE_SIZE;
    const ino = head.subarray(at, at + INODE_SIZE);
    const type = node.kind === 'dir' ? S_IFDIR : node.kind === 'symlink' ? S_IFLNK : S_IFREG;
    const links = node.kind === 'dir' ? 2 + node.children.filter(([, c]) => c.kind === 'dir').length : 1;
    ino.writeUInt16LE(type | node.perm, 0);
    ino.writeUInt16LE(node.uid & 0xffff, 2);
    ino.writeUInt32LE(node.data.length, 4);
    for (const t of [8, 12, 16, 144]) ino.writeUInt32LE(opts.time, t); // atime, ctime, mtime, crtime
    ino.writeUInt16LE(node.gid & 0xffff, 24);
    ino.writeUInt16LE(links, 26);
    ino.writeUInt32LE((node.blocks.length * bs) / 512, 28);
    if (node.kind === 'symlink' && node.blocks.length === 0) node.data.copy(ino, 40);
    node.blocks.forEach((b, i) => ino.writeUInt32LE(b, 40 + i * 4));
    ino.writeUInt16LE(32, 128); // i_extra_isize
    node.blocks.forEach((b, i) => node.data.copy(head, b * bs, i * bs, (i + 1) * bs));
  }

  const sb = head.subarray(1024, 2048);
  const inodes = groups * INODES_PER_GROUP;
  sb.writeUInt32LE(inodes, 0);
  sb.writeUInt32LE(blocksCount, 4);
  sb.writeUInt32LE(freeBlocks, 12);
  sb.writeUInt32LE(inodes - lastIno, 16);
  sb.writeUInt32LE(first, 20);
  sb.writeUInt32LE(Math.log2(bs) - 10, 24); // block size
  sb.writeUInt32LE(Math.log2(bs) - 10, 28); // cluster size
  sb.writeUInt32LE(bpg, 32);
  sb.writeUInt32LE(bpg, 36);
  sb.writeUInt32LE(INODES_PER_GROUP, 40);
  sb.writeUInt32LE(opts.time, 48); // last write
  sb.writeUInt16LE(0xffff, 54); // max mount count: no forced checks
  sb.writeUInt16LE(0xef53, 56);
  sb.writeUInt16LE(1, 58); // cleanly unmounted
  sb.writeUInt16LE(1, 60); // on errors: continue
  sb.writeUInt32LE(opts.time, 64); // last check
  sb.writeUInt32LE(1, 76); // dynamic revision
  sb.writeUInt32LE(FIRST_INO, 84);
  sb.writeUInt16LE(INODE_SIZE, 88);
  sb.writeUInt32LE(0x200, 92); // compat: sparse_super2
  sb.writeUInt32LE(0x2 | 0x200, 96); // incompat: filetype, flex_bg
  sb.writeUInt32LE(0x40, 100); // ro_compat: extra_isize
  opts.uuid.copy(sb, 104, 0, 16);
  sb.write(opts.label.slice(0, 16), 120, 'latin1');
  sb.write('/', 136, 'latin1'); // last mounted on
  sb.writeUInt32LE(opts.time, 264); // mkfs time
  sb.writeUInt16LE(32, 348); // min extra isize
  sb.writeUInt16LE(32, 350); // want extra isize
  sb[372] = Math.max(4, Math.ceil(Math.log2(groups))); // log2 of groups per flex group: all in one
  // s_backup_bgs (@588) stay 0: sparse_super2 without backups.

  return { head, blockSize: bs, blocksCount };
}
