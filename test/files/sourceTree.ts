// The folder the test filesystems are made from, and the check that a FileTree shows exactly it:
// the same names in every directory, types, sizes, symlink targets, mtimes, and every file's bytes
// (SHA-256 against the source file).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createCipheriv, createHash } from 'node:crypto';
import { link, lstat, mkdir, open, readdir, readFile, readlink, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileTree } from '../../electron/files/fileTree.ts';
import { MiB, sha256Of } from './helpers.ts';

/** Deterministic incompressible bytes. */
export function noise(seed: string, length: number): Buffer {
  const key = createHash('sha256').update(seed).digest();
  return createCipheriv('aes-256-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(length));
}

export const LONG_NAME = `${'a-rather-long-file-name-'.repeat(10)}end.txt`; // 247 bytes, under the 255 limit
/** Entries of the folder 'many': several directory blocks (and an htree once indexed). */
export const MANY = 600;
const FIXED_TIME = new Date('2026-01-14T02:00:06Z');

/**
 * Write the source folder. `unix` adds what only a Unix filesystem holds (symlinks, a hardlink,
 * a fifo, a sparse file with data islands); FAT gets the rest.
 */
export async function writeSource(dir: string, opts: { unix: boolean; bigBytes?: number; many?: number }): Promise<void> {
  const put = async (rel: string, data: string | Buffer): Promise<void> => {
    await mkdir(join(dir, rel, '..'), { recursive: true });
    await writeFile(join(dir, rel), data);
  };
  await put('etc/hostname', 'web01\n');
  await put('etc/fstab', 'UUID=0a1b2c3d / ext4 errors=remount-ro 0 1\nUUID=4e5f-6789 /boot/efi vfat umask=0077 0 1\n');
  await put('home/admin/notes.txt', 'Remember: restore tests every Friday.\n'.repeat(50));
  await put('big.bin', noise('big', opts.bigBytes ?? 9 * MiB + 12345)); // several 4 MiB chunks, not block-aligned
  await put(LONG_NAME, 'long name\n');
  await put('Mixed Case Name.TXT', 'case\n');
  await put('a/b/c/d/deep.txt', 'deep\n');
  await put('empty-file', '');
  await mkdir(join(dir, 'empty'), { recursive: true });
  for (let i = 0; i < (opts.many ?? MANY); i++) await put(`many/entry-number-${String(i).padStart(4, '0')}-with-a-longer-name.conf`, `value=${i}\n`);
  if (opts.unix) {
    await symlink('../etc/hostname', join(dir, 'home/admin/hostname-link')); // fast symlink
    await symlink(`/${'very-long-directory-name/'.repeat(4)}target`, join(dir, 'long-link')); // slow symlink (> 60 bytes)
    await link(join(dir, 'etc/hostname'), join(dir, 'etc/hostname.hardlink'));
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    // Data islands every 1 MiB: more extents than the inode holds (an extent tree of depth 1),
    // and for the old block map, data behind double and triple indirect blocks.
    const f = await open(join(dir, 'sparse.img'), 'w');
    for (const at of [0, ...Array.from({ length: 24 }, (_, i) => (i + 1) * MiB), 70 * MiB]) await f.write(noise(`island${at}`, 4096), 0, 4096, at);
    await f.truncate(72 * MiB + 17);
    await f.close();
  }
  for (const rel of ['etc/hostname', 'home/admin/notes.txt', 'big.bin']) await utimes(join(dir, rel), FIXED_TIME, FIXED_TIME);
}

const sha256File = async (p: string): Promise<string> => createHash('sha256').update(await readFile(p)).digest('hex');

/**
 * Assert that `tree` at `at` shows the source folder `src` exactly. `fat`: no modes, times to
 * 2 seconds, names compared as FAT keeps them. Returns the number of entries checked.
 */
export async function assertSameTree(tree: FileTree, at: string, src: string, opts: { fat?: boolean } = {}): Promise<number> {
  let checked = 0;
  const walk = async (rel: string): Promise<void> => {
    const path = rel ? `${at === '/' ? '' : at}/${rel}` : at;
    const listed = await tree.list(path);
    const names = (await readdir(join(src, rel))).filter((n) => n !== 'lost+found').sort();
    assert.deepEqual(listed.map((e) => e.name).filter((n) => n !== 'lost+found').sort(), names, `names in ${path}`);
    for (const e of listed) {
      if (e.name === 'lost+found') continue;
      const child = rel ? `${rel}/${e.name}` : e.name;
      const st = await lstat(join(src, child));
      const full = `${at === '/' ? '' : at}/${child}`;
      assert.deepEqual(await tree.stat(full), e, `stat ${full} matches its list entry`);
      checked++;
      if (opts.fat) assert.ok(Math.abs(e.mtime - Math.floor(st.mtimeMs / 1000)) <= 2, `${full} mtime ${e.mtime} vs ${st.mtimeMs / 1000}`);
      else {
        assert.equal(Math.floor(e.mtime), Math.floor(st.mtimeMs / 1000), `${full} mtime`);
        assert.equal(e.mode, st.mode, `${full} mode`);
      }
      if (st.isDirectory()) {
        assert.equal(e.type, 'dir', full);
        await walk(child);
      } else if (st.isSymbolicLink()) {
        assert.deepEqual([e.type, e.target], ['symlink', await readlink(join(src, child))], full);
      } else if (st.isFIFO()) {
        assert.equal(e.type, 'fifo', full);
      } else {
        assert.equal(e.type, 'file', full);
        assert.equal(e.size, st.size, `${full} size`);
        const got = await sha256Of(tree, full);
        assert.deepEqual([got.sha256, got.bytes], [await sha256File(join(src, child)), st.size], `${full} content`);
        assert.ok(got.maxPiece <= MiB, `${full} is read in pieces of at most 1 MiB (${got.maxPiece})`);
      }
    }
  };
  await walk('');
  return checked;
}
