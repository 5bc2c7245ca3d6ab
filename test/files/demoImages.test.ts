// The demo's VM boot disks can be browsed at once: each holds a GPT with an ext4 root filesystem
// (the guest's /etc/hostname, /etc/fstab, /home/admin/notes.txt, …) and a swap partition, built in
// code without Debian tools; restored from the datastore (encrypted ones with the demo key) they
// list and read through openImageTree, and fsck and sgdisk find nothing wrong with them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { diskLayout } from '../../electron/demo/diskLayout.ts';
import { demoPlan } from '../../electron/demo/demoPlan.ts';
import { openArchiveBytes } from '../../electron/files/archiveBytes.ts';
import { openImageTree } from '../../electron/files/imageTree.ts';
import type { FileTree } from '../../electron/files/fileTree.ts';
import { decodeBlob, zeroChunkDigest } from '../../electron/pbs/dataBlob.ts';
import { chunkRange, digestAt, parseFixedIndex } from '../../electron/pbs/fixedIndex.ts';
import { decryptKeyConfig, parseKeyFile } from '../../electron/pbs/keyFile.ts';
import { LocalDatastore } from '../../electron/source/localDatastore.ts';
import { smallDemo } from '../helpers/demo.ts';
import { tempDir } from '../helpers/tmp.ts';
import { bufferReader, MiB, patch, skipWithout, sparseFile, tool } from './helpers.ts';

const demo = await smallDemo();
const ds = await LocalDatastore.open(demo.dir);
const crypt = await decryptKeyConfig(parseKeyFile(await readFile(demo.keyFile, 'utf8')), demo.keyPassword);
const work = await tempDir('rc-demo-images-');

/** The whole image of a demo archive, decoded chunk by chunk from the datastore. */
async function restore(a: (typeof demo.archives)[number]): Promise<Buffer> {
  const ref = { ns: a.ns, type: a.type, id: a.id, time: a.time };
  const idx = parseFixedIndex(await ds.readSnapshotFile(ref, a.archive), a.archive);
  const key = a.encrypted ? crypt : undefined;
  const zero = zeroChunkDigest(idx.chunkSize, key);
  const out = Buffer.alloc(idx.size);
  for (let i = 0; i < idx.count; i++) {
    const digest = digestAt(idx, i);
    if (digest.equals(zero)) continue;
    const { start, end } = chunkRange(idx, i);
    decodeBlob(await ds.readChunk(digest), { crypt: key, expectedDigest: digest, expectedSize: end - start, cryptMode: a.encrypted ? 'encrypt' : 'none' }).copy(out, start);
  }
  return out;
}

const text = async (tree: FileTree, path: string): Promise<string> => {
  const parts: Uint8Array[] = [];
  for await (const p of tree.read(path)) parts.push(p);
  return Buffer.concat(parts).toString();
};

describe('demo boot disks', () => {
  it('hold a GPT with the root filesystem and swap, on every VM (encrypted ones too), read chunk by chunk', async () => {
    const boot = demo.archives.filter((a) => a.archive === 'drive-scsi0.img.fidx');
    assert.equal(boot.length, 8);
    for (const a of boot) {
      const snapshot = await ds.openSnapshot({ ns: a.ns, type: a.type, id: a.id, time: a.time });
      const bytes = await openArchiveBytes(snapshot, a.archive, a.encrypted ? crypt : undefined);
      const tree = await openImageTree(bytes);
      const parts = await tree.list('/');
      assert.deepEqual(
        parts.map((p) => [p.name, p.partitionType, p.fs, p.unsupported]),
        [['part1', 'Linux filesystem', 'ext4', undefined], ['part2', 'Linux swap', 'swap', 'Linux swap: holds no files']],
        `${a.id}/${a.time}`,
      );
      assert.deepEqual((await tree.list('/part1')).map((e) => e.name).sort(), ['etc', 'home', 'lost+found', 'opt', 'root', 'tmp', 'var'].filter((n) => n !== 'opt' || a.id === '102'));
      const hostname = (await text(tree, '/part1/etc/hostname')).trim();
      assert.equal(hostname, { '100': 'web01', '101': 'db01', '102': 'app02', '200': 'k8s-test' }[a.id]);
      assert.match(await text(tree, '/part1/home/admin/notes.txt'), new RegExp(`^${hostname}: `));
      assert.deepEqual(await tree.stat('/part1/etc/localtime'), {
        name: 'localtime', type: 'symlink', size: 0, mode: 0o120777, mtime: Date.UTC(2025, 10, 3, 9, 12, 0) / 1000, uid: 0, gid: 0, target: '/usr/share/zoneinfo/Etc/UTC',
      });
      const notes = await tree.stat('/part1/home/admin/notes.txt');
      assert.deepEqual([notes.uid, notes.gid, notes.mode], [1000, 1000, 0o100644]);
      // The table, the filesystem's head and the swap header: a handful of the disk's chunks.
      assert.ok(bytes.chunksFetched <= 6, `${bytes.chunksFetched} of ${a.chunks} chunks fetched`);
      await snapshot.close();
    }
  });

  it('name the root filesystem and the swap in fstab by the UUIDs they carry', async () => {
    const a = demo.archives.find((x) => x.id === '100' && x.archive === 'drive-scsi0.img.fidx')!;
    const image = await restore(a);
    const tree = await openImageTree(bufferReader(image));
    const fstab = await text(tree, '/part1/etc/fstab');
    const [p1, p2] = tree.layout.partitions;
    const uuid = (b: Buffer): string => b.toString('hex').replace(/(.{8})(.{4})(.{4})(.{4})(.{12})/, '$1-$2-$3-$4-$5');
    assert.ok(fstab.includes(`UUID=${uuid(image.subarray(p1!.offset + 1024 + 104, p1!.offset + 1024 + 120))} / ext4`), fstab);
    assert.ok(fstab.includes(`UUID=${uuid(image.subarray(p2!.offset + 1036, p2!.offset + 1052))} none swap`), fstab);
  });

  const skip = skipWithout('e2fsck', 'sgdisk');
  it('pass e2fsck and sgdisk --verify, at the small and the full scale', { skip }, async () => {
    const a = demo.archives.find((x) => x.id === '101' && x.archive === 'drive-scsi0.img.fidx')!;
    const small = join(work, 'small.img');
    await writeFile(small, await restore(a));
    // The full-scale disks are large: their written regions alone, in a sparse file, are what fsck reads.
    const full = demoPlan('full').groups.find((g) => g.id === '100')!;
    const disk = full.vm!.disks[0]!;
    const layout = diskLayout({ seed: 'full-scale-check', size: disk.size, chunkSize: 4 * MiB, guest: { hostname: 'web01', family: full.family }, time: 1_762_161_120 });
    const big = join(work, 'full.img');
    sparseFile(big, disk.size);
    for (const r of layout.regions) patch(big, r.offset, r.bytes);
    for (const [image, parts] of [[small, (await openImageTree(bufferReader(await readFile(small)))).layout.partitions], [big, layout.partitions]] as const) {
      assert.match(tool('sgdisk', ['--verify', image]), /No problems found/);
      const root = parts[0]!;
      assert.match(tool('e2fsck', ['-fn', `${image}?offset=${root.offset}`]), /Pass 5: Checking group summary information\n.*files/);
    }
  });
});
