// Disk images as FileTrees: GPT (sgdisk) and MBR with logical partitions (sfdisk) holding ext4,
// FAT, swap and recognised-only volumes; partitions at '/', files inside them, the path errors;
// damaged tables (a bad primary GPT falls back to the backup); and how few 4 MiB chunks of a
// 4 GiB image a listing touches.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, truncateSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { openImageTree } from '../../electron/files/imageTree.ts';
import { isRestoreError } from '../../shared/errors.ts';
import { tempDir } from '../helpers/tmp.ts';
import { CHUNK, gptDisk, imageReader, mbrDisk, MiB, mkext, mkfat, patch, peek, sha256Of, skipWithout, sparseFile, tool } from './helpers.ts';
import { writeSource } from './sourceTree.ts';

const skip = skipWithout('mke2fs', 'mkfs.vfat', 'mcopy', 'mkswap', 'sgdisk', 'sfdisk');

const work = skip ? '' : await tempDir('rc-image-');
const src = join(work, 'src');
if (!skip) await writeSource(src, { unix: false, bigBytes: 3 * MiB, many: 20 });
const sha = async (p: string): Promise<string> => createHash('sha256').update(await readFile(p)).digest('hex');

const expectCode = async (p: Promise<unknown>, code: string, re?: RegExp): Promise<void> => {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isRestoreError(e), String(e));
    assert.equal(e.code, code, e.message);
    if (re) assert.match(e.message, re);
    return true;
  });
};

/** Copy a file into a disk image at `offset`, leaving zero pieces as holes. */
function place(disk: string, offset: number, file: string): void {
  const from = openSync(file, 'r');
  const to = openSync(disk, 'r+');
  const buf = Buffer.alloc(MiB);
  try {
    for (let at = 0; ; at += MiB) {
      const n = readSync(from, buf, 0, MiB, at);
      if (n === 0) break;
      if (buf.subarray(0, n).some((b) => b !== 0)) writeSync(to, buf, 0, n, offset + at);
    }
  } finally {
    closeSync(from);
    closeSync(to);
  }
}

/** A 64 MiB GPT disk: ESP (FAT16), Linux ext4, swap, LVM, Windows (NTFS magic), and an empty partition. */
function gptFixture(name: string): string {
  const disk = join(work, `${name}.img`);
  gptDisk(disk, 64 * MiB, [
    { startMiB: 1, endMiB: 17, code: 'ef00', name: 'EFI system partition' },
    { startMiB: 17, endMiB: 41, code: '8300', name: 'root' },
    { startMiB: 41, endMiB: 45, code: '8200' },
    { startMiB: 45, endMiB: 49, code: '8e00' },
    { startMiB: 49, endMiB: 53, code: '0700' },
    { startMiB: 53, endMiB: 57, code: '8300' },
  ]);
  mkfat(disk, 16, 16 * MiB, [join(src, 'etc'), join(src, 'home')], { offset: 1 * MiB, args: ['-n', 'ESP'] });
  mkext(disk, src, 24 * MiB, { offset: 17 * MiB, args: ['-L', 'rootfs'] });
  const swap = join(work, `${name}.swap`);
  sparseFile(swap, 4 * MiB);
  tool('mkswap', [swap]);
  place(disk, 41 * MiB, swap);
  patch(disk, 45 * MiB + 512, Buffer.from('LABELONE'));
  patch(disk, 45 * MiB + 512 + 24, Buffer.from('LVM2 001'));
  patch(disk, 49 * MiB + 3, Buffer.from('NTFS    '));
  return disk;
}

describe('a GPT disk image', { skip }, () => {
  it('lists the partitions with their types, filesystems and what cannot be read', async () => {
    const tree = await openImageTree(imageReader(gptFixture('gpt')));
    assert.equal(tree.layout.scheme, 'gpt');
    assert.deepEqual(tree.layout.warnings, []);
    const parts = await tree.list('/');
    const row = (e: (typeof parts)[number]) => [e.name, e.type, e.size / MiB, e.fs, e.partitionType, e.label, e.unsupported?.replace(/ \(.*/, '')];
    assert.deepEqual(parts.map(row), [
      ['part1', 'partition', 16, 'vfat', 'EFI System', 'EFI system partition', undefined],
      ['part2', 'partition', 24, 'ext4', 'Linux filesystem', 'root', undefined],
      ['part3', 'partition', 4, 'swap', 'Linux swap', undefined, 'Linux swap: holds no files'],
      ['part4', 'partition', 4, 'LVM2_member', 'Linux LVM', undefined, 'LVM physical volume: not supported'],
      ['part5', 'partition', 4, 'ntfs', 'Microsoft basic data', undefined, 'NTFS: not supported'],
      ['part6', 'partition', 4, 'unknown', 'Linux filesystem', undefined, 'no known filesystem'],
    ]);
    assert.deepEqual(await tree.stat('/part2'), parts[1]);
    assert.deepEqual(await tree.stat('/'), { name: '', type: 'dir', size: 0, mode: 0, mtime: 0 });
  });

  it('reads files inside the ext4 and FAT partitions', async () => {
    const tree = await openImageTree(imageReader(gptFixture('gpt-files')));
    assert.deepEqual((await tree.list('/part2/etc')).map((e) => e.name).sort(), ['fstab', 'hostname']);
    assert.deepEqual((await tree.list('/part1')).map((e) => e.name).sort(), ['etc', 'home']);
    for (const p of ['/part2/etc/hostname', '/part2/big.bin', '/part1/home/admin/notes.txt']) {
      const local = join(src, p.split('/').slice(2).join('/'));
      assert.equal((await sha256Of(tree, p)).sha256, await sha(local), p);
    }
    assert.equal((await tree.stat('/part2/etc/hostname')).type, 'file');
  });

  it('answers wrong paths with PATH_NOT_FOUND, NOT_A_DIRECTORY, NOT_A_FILE and FS_UNSUPPORTED', async () => {
    const tree = await openImageTree(imageReader(gptFixture('gpt-paths')));
    await expectCode(tree.list('/part9'), 'PATH_NOT_FOUND', /no such partition \(the disk has part1, part2, part3, part4, part5, part6\)/);
    await expectCode(tree.list('/part2/nope'), 'PATH_NOT_FOUND', /^\/part2\/nope: no such file or directory$/);
    await expectCode(tree.stat('/part1/etc/nope'), 'PATH_NOT_FOUND', /^\/part1\/etc\/nope:/);
    await expectCode(tree.list('etc'), 'PATH_NOT_FOUND', /not an absolute path/);
    await expectCode(tree.list('/part2/etc/hostname'), 'NOT_A_DIRECTORY', /\/part2\/etc\/hostname is a file/);
    await expectCode(tree.list('/part2/etc/hostname/x'), 'NOT_A_DIRECTORY');
    await expectCode(sha256Of(tree, '/part2/etc'), 'NOT_A_FILE', /directory/);
    await expectCode(sha256Of(tree, '/part2'), 'NOT_A_FILE', /partition/);
    await expectCode(sha256Of(tree, '/'), 'NOT_A_FILE');
    await expectCode(tree.list('/part3'), 'FS_UNSUPPORTED', /^\/part3: Linux swap: holds no files$/);
    await expectCode(tree.list('/part5/x'), 'FS_UNSUPPORTED', /NTFS: not supported/);
    await expectCode(tree.list('/part6'), 'FS_UNSUPPORTED', /no known filesystem/);
    assert.deepEqual((await tree.list('/part2/./etc//')).map((e) => e.name).sort(), ['fstab', 'hostname']);
    await expectCode(tree.list('/part2/../part1'), 'PATH_NOT_FOUND', /'..' is not allowed/);
  });

  it('uses the backup GPT when the primary is damaged, and fails clearly when both are', async () => {
    const disk = gptFixture('gpt-backup');
    const sectors = (64 * MiB) / 512;
    // The primary's entries no longer match their checksum.
    patch(disk, 2 * 512 + 56, Buffer.from('x', 'utf16le'));
    let tree = await openImageTree(imageReader(disk));
    assert.match(tree.layout.warnings.join(), /primary GPT is damaged \(primary header: partition entries checksum mismatch\); using the backup/);
    assert.equal((await tree.list('/')).length, 6);
    assert.deepEqual((await tree.list('/part2/etc')).map((e) => e.name).sort(), ['fstab', 'hostname']);
    // A primary header claiming a million entries (checksum recomputed, so only the count is wrong).
    const header = peek(disk, 512, 92);
    header.writeUInt32LE(1_000_000, 80);
    header.writeUInt32LE(0, 16);
    header.writeUInt32LE(crc32(header), 16);
    patch(disk, 512, header);
    tree = await openImageTree(imageReader(disk));
    assert.match(tree.layout.warnings.join(), /1000000 entries of 128 bytes is more than a GPT holds/);
    // Now the backup header too.
    patch(disk, (sectors - 1) * 512, Buffer.from('EFI PARX'));
    await expectCode(openImageTree(imageReader(disk)), 'FS_INVALID', /GPT partition table damaged/);
  });

  it('reads the GPT of a disk with 4096-byte sectors', async () => {
    const disk = gptFixture('gpt-4k');
    // Rewrite sgdisk's table as a 4Kn disk has it: header in LBA 1 (byte 4096), entries from LBA 2.
    const entries = peek(disk, 1024, 128 * 128);
    for (let i = 0; i < 128; i++) {
      const e = entries.subarray(i * 128, i * 128 + 128);
      if (e.readBigUInt64LE(40) === 0n) continue;
      e.writeBigUInt64LE(e.readBigUInt64LE(32) / 8n, 32);
      e.writeBigUInt64LE((e.readBigUInt64LE(40) + 1n) / 8n - 1n, 40);
    }
    const total = (64 * MiB) / 4096;
    const header = (mine: number, other: number, entriesLba: number): Buffer => {
      const h = Buffer.alloc(4096);
      peek(disk, 512, 92).copy(h);
      for (const [at, v] of [[24, mine], [32, other], [40, 6], [48, total - 6], [72, entriesLba]] as const) h.writeBigUInt64LE(BigInt(v), at);
      h.writeUInt32LE(crc32(entries), 88);
      h.writeUInt32LE(0, 16);
      h.writeUInt32LE(crc32(h.subarray(0, 92)), 16);
      return h;
    };
    const primary = header(1, total - 1, 2);
    const backup = header(total - 1, 1, total - 5);
    patch(disk, 512, Buffer.alloc(17 * 1024)); // sgdisk's 512-byte-sector table
    patch(disk, 64 * MiB - 33 * 512, Buffer.alloc(33 * 512));
    patch(disk, 4096, Buffer.concat([primary, entries]));
    patch(disk, 64 * MiB - 5 * 4096, Buffer.concat([entries, Buffer.alloc(4096 * 4 - entries.length), backup]));
    const tree = await openImageTree(imageReader(disk));
    assert.deepEqual(tree.layout.warnings, []);
    assert.deepEqual((await tree.list('/')).map((e) => [e.name, e.size / MiB, e.fs]), [
      ['part1', 16, 'vfat'], ['part2', 24, 'ext4'], ['part3', 4, 'swap'], ['part4', 4, 'LVM2_member'], ['part5', 4, 'ntfs'], ['part6', 4, 'unknown'],
    ]);
    assert.deepEqual((await tree.list('/part2/etc')).map((e) => e.name).sort(), ['fstab', 'hostname']);
  });

  it('lists a partition that runs past the end of the image, and refuses to go inside it', async () => {
    const disk = gptFixture('gpt-cut');
    truncateSync(disk, 30 * MiB); // part2 (17–41 MiB) is cut; the backup GPT is gone
    const tree = await openImageTree(imageReader(disk));
    const parts = await tree.list('/');
    assert.match(parts[1]!.unsupported ?? '', /partition 2 ends at byte 42991616, past the end of the 31457280-byte image/);
    await expectCode(tree.list('/part2'), 'FS_INVALID', /past the end/);
    assert.deepEqual((await tree.list('/part1')).map((e) => e.name).sort(), ['etc', 'home']);
  });
});

describe('an MBR disk image', { skip }, () => {
  const mbrFixture = (name: string): { disk: string; starts: number[] } => {
    const disk = join(work, `${name}.img`);
    // Named lines give the numbers: 1 primary, 2 extended, 5 and 6 logical inside it.
    const line = (n: number, spec: string): string => `${disk}${n} : ${spec}\n`;
    mbrDisk(disk, 64 * MiB, `label: dos\n${line(1, 'size=16M, type=83')}${line(2, 'size=40M, type=5')}${line(5, 'size=12M, type=83')}${line(6, 'size=16M, type=c')}`);
    const table = JSON.parse(tool('sfdisk', ['-J', disk])) as { partitiontable: { partitions: Array<{ node: string; start: number }> } };
    const starts = table.partitiontable.partitions.map((p) => p.start * 512);
    assert.equal(starts.length, 4, 'sfdisk made 1, 2 (extended), 5, 6');
    mkext(disk, src, 16 * MiB, { offset: starts[0]!, type: 'ext2', blockSize: 1024 });
    mkext(disk, src, 12 * MiB, { offset: starts[2]! });
    mkfat(disk, 16, 16 * MiB, [join(src, 'etc')], { offset: starts[3]! });
    return { disk, starts };
  };

  it('numbers primary partitions 1–4 and logical ones from 5, leaving out the extended container', async () => {
    const { disk } = mbrFixture('mbr');
    const tree = await openImageTree(imageReader(disk));
    assert.equal(tree.layout.scheme, 'mbr');
    const parts = await tree.list('/');
    assert.deepEqual(parts.map((e) => [e.name, e.fs, e.partitionType]), [
      ['part1', 'ext2', 'Linux'],
      ['part5', 'ext4', 'Linux'],
      ['part6', 'vfat', 'W95 FAT32 (LBA)'],
    ]);
    for (const p of ['/part1/big.bin', '/part5/etc/fstab', '/part6/etc/hostname']) {
      assert.equal((await sha256Of(tree, p)).sha256, await sha(join(src, p.split('/').slice(2).join('/'))), p);
    }
  });

  it('refuses a chain of logical partitions that loops', async () => {
    const { disk, starts } = mbrFixture('mbr-loop');
    // The EBR before part6 points at itself as the next one.
    const ebr = starts[3]! - 2048 * 512;
    const sector = peek(disk, ebr, 512);
    assert.equal(sector.readUInt16BE(510), 0x55aa);
    const extStart = starts[1]! / 512;
    sector.writeUInt32LE(ebr / 512 - extStart, 446 + 16 + 8);
    sector[446 + 16 + 4] = 0x05;
    sector.writeUInt32LE(1, 446 + 16 + 12);
    patch(disk, ebr, sector);
    await expectCode(openImageTree(imageReader(disk)), 'FS_INVALID', /loops or leaves the extended partition/);
  });
});

describe('images without a partition table', { skip }, () => {
  it('show a recognised but unreadable filesystem, or nothing known, as FS_UNSUPPORTED at /', async () => {
    const xfs = join(work, 'bare-xfs.img');
    sparseFile(xfs, 4 * MiB);
    patch(xfs, 0, Buffer.from('XFSB'));
    const tree = await openImageTree(imageReader(xfs));
    assert.deepEqual(tree.layout.bare, { fs: 'xfs', name: 'XFS', readable: false });
    await expectCode(tree.list('/'), 'FS_UNSUPPORTED', /^\/: XFS: not supported/);
    const blank = join(work, 'blank.img');
    sparseFile(blank, 4 * MiB);
    await expectCode((await openImageTree(imageReader(blank))).list('/'), 'FS_UNSUPPORTED', /no known filesystem/);
  });
});

describe('a 4 GiB disk image', { skip }, () => {
  it('lists /etc of a partition touching a handful of its 1024 chunks', async () => {
    const disk = join(work, 'big-disk.img');
    gptDisk(disk, 4 * 1024 * MiB, [
      { startMiB: 1, endMiB: 3072, code: '8300' },
      { startMiB: 3072, endMiB: 4095, code: '0700' },
    ]);
    mkext(disk, src, 3071 * MiB, { offset: MiB, args: ['-J', 'size=4'] });
    mkfat(disk, 32, 1023 * MiB, [join(src, 'etc')], { offset: 3072 * MiB });
    const reader = imageReader(disk);
    const tree = await openImageTree(reader);
    assert.deepEqual((await tree.list('/')).map((e) => e.fs), ['ext4', 'vfat']);
    const opened = reader.chunks.size;
    assert.deepEqual((await tree.list('/part1/etc')).map((e) => e.name).sort(), ['fstab', 'hostname']);
    assert.equal((await sha256Of(tree, '/part1/etc/hostname')).sha256, await sha(join(src, 'etc/hostname')));
    const ext = reader.chunks.size;
    assert.deepEqual((await tree.list('/part2/etc')).map((e) => e.name).sort(), ['fstab', 'hostname']);
    const total = reader.chunks.size;
    // Measured: the table and both partitions' first chunk (0, 768) to open; the inode table and
    // directory blocks (8, 9) for ext4; nothing more for FAT32, whose FAT and folders sit in 768.
    const touched = `${[...reader.chunks].sort((a, b) => a - b)} of ${(4 * 1024 * MiB) / CHUNK} chunks`;
    assert.ok(opened <= 2 && ext <= 5 && total <= 6, `opening ${opened}, ext4 ${ext}, all ${total}: ${touched}`);
  });
});
