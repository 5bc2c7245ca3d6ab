// The ext2/3/4 reader against filesystems made by mke2fs -d from a known folder: every variant a
// guest disk may carry (block sizes, extents and the old block map, inline data, 64-bit and meta_bg
// descriptors, 128-byte inodes, hashed directories) lists and reads exactly the source; damaged
// structures give FS_INVALID (or FS_UNSUPPORTED) instead of garbage, hangs or huge allocations.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openImageTree } from '../../electron/files/imageTree.ts';
import { isRestoreError } from '../../shared/errors.ts';
import { tempDir } from '../helpers/tmp.ts';
import { imageReader, MiB, mkext, patch, peek, sha256Of, skipWithout, tool, type ExtOptions } from './helpers.ts';
import { assertSameTree, LONG_NAME, MANY, writeSource } from './sourceTree.ts';

const skip = skipWithout('mke2fs', 'debugfs', 'dumpe2fs', 'e2fsck', 'mkfifo');

const work = skip ? '' : await tempDir('rc-ext-');
const src = join(work, 'src');
if (!skip) await writeSource(src, { unix: true });
// The sparse file (72 MiB, mostly holes) is hashed in full by every variant that has it, so only
// the variants that need it (extent tree of depth 1; triple indirect blocks) get it. And mke2fs
// 1.47 with inline_data records a sparse file's size as the end of its last data block (a bug of
// the tool, seen with debugfs).
const srcNoSparse = join(work, 'src-no-sparse');
if (!skip) {
  tool('cp', ['-a', src, srcNoSparse]);
  tool('rm', [join(srcNoSparse, 'sparse.img')]);
}

const VARIANTS: Array<{ name: string; kind: string; noSparse?: boolean } & ExtOptions> = [
  { name: 'ext4 (4 KiB blocks, extents)', kind: 'ext4' },
  { name: 'ext2 (1 KiB blocks, block map with indirect blocks)', type: 'ext2', blockSize: 1024, kind: 'ext2' },
  { name: 'ext3 (block map, journal)', type: 'ext3', kind: 'ext3', noSparse: true },
  { name: 'ext4 with inline data', args: ['-O', 'inline_data'], kind: 'ext4', noSparse: true },
  { name: 'ext4 64-bit with meta_bg and 128-byte inodes', args: ['-O', '64bit,meta_bg,^resize_inode'], inodeSize: 128, kind: 'ext4' },
  { name: 'ext4 with 1 KiB blocks and flex_bg of 4', blockSize: 1024, args: ['-G', '4'], kind: 'ext4', noSparse: true },
];

describe('ext2/3/4 made by mke2fs -d', { skip }, () => {
  for (const v of VARIANTS) {
    it(`${v.name}: lists and reads exactly the source`, async () => {
      const image = join(work, `${v.name.replace(/\W+/g, '-')}.img`);
      const from = v.noSparse ? srcNoSparse : src;
      mkext(image, from, 48 * MiB, v);
      const tree = await openImageTree(imageReader(image));
      assert.deepEqual([tree.layout.scheme, tree.layout.bare?.fs, tree.layout.bare?.readable], ['none', v.kind, true]);
      if (v.args?.includes('inline_data')) {
        // Small files and directories really are inline (flag 0x10000000).
        assert.match(tool('debugfs', ['-R', 'stat /etc/hostname', image]), /Flags: 0x10000000/);
        assert.match(tool('debugfs', ['-R', 'stat /a/b', image]), /Flags: 0x10000000/);
      }
      const checked = await assertSameTree(tree, '/', from);
      assert.ok(checked > MANY + 20, `${checked} entries checked`);
      // Hardlinks are the same inode under two names; device files keep their type bits.
      const [a, b] = await Promise.all([tree.stat('/etc/hostname'), tree.stat('/etc/hostname.hardlink')]);
      assert.deepEqual({ ...a, name: '' }, { ...b, name: '' });
    });
  }

  it('64 KiB blocks (the largest; directory record lengths use their special encoding)', async () => {
    const small = join(work, 'src-small');
    await writeSource(small, { unix: true, many: 20, bigBytes: 3 * MiB });
    const image = join(work, 'b64k.img');
    mkext(image, small, 48 * MiB, { blockSize: 65536, args: ['-O', '^has_journal,^metadata_csum'] });
    const tree = await openImageTree(imageReader(image));
    await assertSameTree(tree, '/', small);
    // lost+found's empty blocks hold one unused entry of 65536 bytes, stored as 65535.
    assert.deepEqual(await tree.list('/lost+found'), []);
  });

  it('reads hashed (htree) directories linearly, every name once', async () => {
    const image = join(work, 'htree.img');
    mkext(image, srcNoSparse, 48 * MiB);
    tool('e2fsck', ['-fyD', image]); // index every directory
    assert.match(tool('debugfs', ['-R', 'htree /many', image]), /Root node dump/);
    const tree = await openImageTree(imageReader(image));
    const names = (await tree.list('/many')).map((e) => e.name);
    assert.equal(names.length, MANY);
    assert.equal(new Set(names).size, MANY);
    assert.equal((await sha256Of(tree, '/many/entry-number-0599-with-a-longer-name.conf')).bytes, 'value=599\n'.length);
    await assertSameTree(tree, '/', srcNoSparse);
  });

  it('shows timestamps with nanoseconds and past 2038 (the extra epoch bits)', async () => {
    const image = join(work, 'times.img');
    mkext(image, src, 32 * MiB);
    tool('debugfs', ['-w', '-R', 'sif /etc/fstab mtime 20400101120000', image]);
    // 123456789 ns << 2 | epoch 1: 2040 is past the signed 32-bit seconds, so the epoch bits count.
    tool('debugfs', ['-w', '-R', `sif /etc/fstab mtime_extra ${123456789 * 4 + 1}`, image]);
    const tree = await openImageTree(imageReader(image));
    const e = await tree.stat('/etc/fstab');
    assert.equal(Math.floor(e.mtime), Date.UTC(2040, 0, 1, 12, 0, 0) / 1000);
    assert.ok(Math.abs((e.mtime % 1) - 0.123456789) < 1e-6, `fraction ${e.mtime % 1}`);
  });
});

/** Byte offset of a file's inode, from debugfs's imap. */
function inodeOffset(image: string, path: string): number {
  const out = tool('debugfs', ['-R', `imap ${path}`, image]);
  const m = /located at block (\d+), offset 0x([0-9a-f]+)/.exec(out);
  assert.ok(m, out);
  const bs = Number(/Block size:\s+(\d+)/.exec(tool('dumpe2fs', ['-h', image]))![1]);
  return Number(m[1]) * bs + parseInt(m[2]!, 16);
}

describe('damaged ext filesystems', { skip }, () => {
  let clean: string;
  before(async () => {
    if (skip) return;
    clean = join(work, 'clean.img');
    mkext(clean, src, 48 * MiB);
  });

  const copy = (name: string): string => {
    const image = join(work, `${name}.img`);
    tool('cp', ['--sparse=always', clean, image]);
    return image;
  };

  const expectCode = async (p: Promise<unknown>, code: string, re?: RegExp): Promise<void> => {
    await assert.rejects(p, (e: unknown) => {
      assert.ok(isRestoreError(e), String(e));
      assert.equal(e.code, code, e.message);
      if (re) assert.match(e.message, re);
      return true;
    });
  };

  it('an extent pointing outside the filesystem: FS_INVALID naming the inode', async () => {
    const image = copy('extent-outside');
    const at = inodeOffset(image, '/big.bin');
    const iblock = peek(image, at + 40, 60);
    assert.equal(iblock.readUInt16LE(0), 0xf30a);
    iblock.writeUInt32LE(0x7fffff00, 12 + 8); // first extent's start
    patch(image, at + 40, iblock);
    const tree = await openImageTree(imageReader(image));
    await expectCode(sha256Of(tree, '/big.bin'), 'FS_INVALID', /inode \d+: block \d+\+\d+ lies outside the filesystem/);
    assert.equal((await tree.list('/etc')).length, 3, 'the rest still lists');
  });

  it('a huge size (2^52 bytes) is refused at once, not read as zeros', async () => {
    const image = copy('huge-size');
    patch(image, inodeOffset(image, '/etc/fstab') + 108, Buffer.from([0, 0, 0x0f, 0])); // size high = 0x0f0000
    const tree = await openImageTree(imageReader(image));
    assert.equal((await tree.stat('/etc/fstab')).size > 2 ** 50, true);
    await expectCode(sha256Of(tree, '/etc/fstab'), 'FS_INVALID', /more than its block map can address/);
  });

  it('an extent tree deeper than its header allows, or out of order: FS_INVALID', async () => {
    const image = copy('extent-depth');
    const at = inodeOffset(image, '/sparse.img');
    const iblock = peek(image, at + 40, 60);
    assert.equal(iblock.readUInt16LE(6), 1, 'the sparse file has an extent tree of depth 1');
    iblock.writeUInt16LE(2, 6); // claim depth 2: the leaf below is then at the wrong depth
    patch(image, at + 40, iblock);
    await expectCode(sha256Of(await openImageTree(imageReader(image)), '/sparse.img'), 'FS_INVALID', /depth 0 where 1 was expected/);
  });

  it('a directory entry with a broken record length: FS_INVALID', async () => {
    const image = copy('dirent');
    const blocks = tool('debugfs', ['-R', 'blocks /etc', image]).trim().split(/\s+/).map(Number);
    const at = blocks[0]! * 4096;
    const block = peek(image, at, 4096);
    block.writeUInt16LE(13, 4); // '.' entry: a record length that is not a multiple of 4
    patch(image, at, block);
    const tree = await openImageTree(imageReader(image));
    await expectCode(tree.list('/etc'), 'FS_INVALID', /damaged entry/);
    await expectCode(tree.stat('/etc/hostname'), 'FS_INVALID');
  });

  it('an inode number beyond the inode count: FS_INVALID', async () => {
    const image = copy('bad-ino');
    const blocks = tool('debugfs', ['-R', 'blocks /home/admin', image]).trim().split(/\s+/).map(Number);
    const at = blocks[0]! * 4096 + 24; // third entry (after '.' and '..' of 12 bytes each)
    patch(image, at, Buffer.from([0xff, 0xff, 0xff, 0x7f]));
    await expectCode((await openImageTree(imageReader(image))).list('/home/admin'), 'FS_INVALID', /inode number \d+ is outside/);
  });

  it('a superblock with nonsense geometry: FS_INVALID; an unknown incompatible feature: FS_UNSUPPORTED', async () => {
    const geometry = copy('sb-geometry');
    patch(geometry, 1024 + 40, Buffer.alloc(4)); // 0 inodes per group
    await expectCode((await openImageTree(imageReader(geometry))).list('/'), 'FS_INVALID', /0 inodes per group/);
    const feature = copy('sb-feature');
    const incompat = peek(feature, 1024 + 96, 4);
    incompat.writeUInt32LE(incompat.readUInt32LE(0) | 0x1, 0); // compression
    patch(feature, 1024 + 96, incompat);
    await expectCode((await openImageTree(imageReader(feature))).list('/'), 'FS_UNSUPPORTED', /compression/);
  });

  it('reads only what it needs of a long file, and stops when cancelled', async () => {
    const tree = await openImageTree(imageReader(clean));
    const ac = new AbortController();
    let pieces = 0;
    await expectCode(
      (async () => {
        for await (const _ of tree.read('/big.bin', ac.signal)) if (++pieces === 2) ac.abort();
      })(),
      'CANCELLED',
    );
    assert.equal(pieces, 2);
    assert.equal((await tree.stat(`/${LONG_NAME}`)).size, 'long name\n'.length);
  });
});
