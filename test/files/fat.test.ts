// The FAT reader against volumes made by mkfs.vfat and filled by mcopy: FAT12, FAT16 and FAT32 list
// and read exactly the source folder (long names, 8.3 names, nested and empty folders, a folder of
// many entries, a fragmented file); damaged FATs (loops, short chains, clusters outside the volume,
// a broken long-name checksum) give FS_INVALID or the 8.3 name, never a hang.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openImageTree } from '../../electron/files/imageTree.ts';
import { isRestoreError } from '../../shared/errors.ts';
import { tempDir } from '../helpers/tmp.ts';
import { imageReader, MiB, mkfat, patch, peek, sha256Of, skipWithout, tool } from './helpers.ts';
import { assertSameTree, noise, writeSource } from './sourceTree.ts';

const skip = skipWithout('mkfs.vfat', 'mcopy', 'mdel', 'mshowfat');
/** mcopy takes seconds per few hundred files; 150 entries of long names still span several clusters. */
const FAT_MANY = 150;

const work = skip ? '' : await tempDir('rc-fat-');
const src = join(work, 'src');
if (!skip) {
  await writeSource(src, { unix: false, bigBytes: 5 * MiB + 777, many: FAT_MANY });
  await writeFile(join(src, 'README.TXT'), 'an 8.3 name in capitals needs no long name\n');
  await writeFile(join(src, 'notes.txt'), 'an 8.3 name in lower case\n');
  await writeFile(join(src, 'Grüße und Ümläute – ok.txt'), 'unicode long name\n');
}

const SIZES = { 12: 16 * MiB, 16: 32 * MiB, 32: 64 * MiB } as const;

const built = new Map<number, string>();

/** A volume of the source folder; `name` gives a private copy to damage. */
async function volume(bits: 12 | 16 | 32, name?: string): Promise<string> {
  let image = built.get(bits);
  if (!image) {
    image = join(work, `fat${bits}.img`);
    mkfat(image, bits, SIZES[bits], (await readdir(src)).map((n) => join(src, n)));
    built.set(bits, image);
  }
  if (!name) return image;
  const copy = join(work, `${name}.img`);
  tool('cp', ['--sparse=always', image, copy]);
  return copy;
}

describe('FAT made by mkfs.vfat and mcopy', { skip }, () => {
  for (const bits of [12, 16, 32] as const) {
    it(`FAT${bits}: lists and reads exactly the source`, async () => {
      const image = await volume(bits);
      const tree = await openImageTree(imageReader(image));
      assert.deepEqual(tree.layout.bare, { fs: 'vfat', name: `FAT${bits}`, readable: true });
      const checked = await assertSameTree(tree, '/', src, { fat: true });
      assert.ok(checked > FAT_MANY + 10, `${checked} entries`);
    });
  }

  it('reads a fragmented file (its clusters in two runs) exactly', async () => {
    const image = join(work, 'frag.img');
    mkfat(image, 16, SIZES[16], []);
    const at = `${image}@@0`;
    const files = { a: noise('a', 300_000), b: noise('b', 5000), c: noise('c', 900_000) };
    for (const [n, data] of Object.entries(files)) await writeFile(join(work, n), data);
    tool('mcopy', ['-i', at, join(work, 'a'), join(work, 'b'), '::/']);
    tool('mdel', ['-i', at, '::/a']);
    tool('mcopy', ['-i', at, join(work, 'c'), '::/']);
    const chain = tool('mshowfat', ['-i', at, '::/c']);
    assert.ok((chain.match(/</g) ?? []).length >= 2, `c is fragmented: ${chain}`);
    const tree = await openImageTree(imageReader(image));
    assert.equal((await sha256Of(tree, '/c')).sha256, createHash('sha256').update(files.c).digest('hex'));
  });
});

/** Where FAT entries and the root directory are, from the boot sector (independently of the reader). */
function layout(image: string): { fat: number; bits: number; root: number } {
  const b = peek(image, 0, 512);
  const bps = b.readUInt16LE(11);
  const reserved = b.readUInt16LE(14);
  const fats = b[16]!;
  const fat16 = b.readUInt16LE(22);
  const fatSize = fat16 || b.readUInt32LE(36);
  const bits = fat16 === 0 ? 32 : (b.readUInt16LE(19) || b.readUInt32LE(32)) / b[13]! < 4085 ? 12 : 16;
  return { fat: reserved * bps, bits, root: (reserved + fats * fatSize) * bps };
}

function setFat(image: string, cluster: number, value: number): void {
  const { fat, bits } = layout(image);
  assert.notEqual(bits, 12, 'the damage tests use FAT16 and FAT32');
  const b = Buffer.alloc(bits / 8);
  if (bits === 16) b.writeUInt16LE(value);
  else b.writeUInt32LE(value);
  patch(image, fat + (cluster * bits) / 8, b);
}

/** The clusters of a file, from mshowfat ("<3-5> <9-12>"). */
function clusters(image: string, path: string): number[] {
  const out = tool('mshowfat', ['-i', `${image}@@0`, `::${path}`]);
  return [...out.matchAll(/<(\d+)(?:-(\d+))?>/g)].flatMap((m) => {
    const from = Number(m[1]);
    const to = Number(m[2] ?? m[1]);
    return Array.from({ length: to - from + 1 }, (_, i) => from + i);
  });
}

describe('damaged FAT volumes', { skip }, () => {
  const expectCode = async (p: Promise<unknown>, code: string, re: RegExp): Promise<void> => {
    await assert.rejects(p, (e: unknown) => {
      assert.ok(isRestoreError(e), String(e));
      assert.equal(e.code, code, e.message);
      assert.match(e.message, re);
      return true;
    });
  };

  it('a loop in a file’s cluster chain: FS_INVALID within a few turns of the loop', async () => {
    const image = await volume(16, 'loop');
    const c = clusters(image, '/big.bin');
    assert.ok(c.length > 400);
    setFat(image, c[50]!, c[10]!); // a loop of 41 clusters after 10
    const tree = await openImageTree(imageReader(image));
    let bytes = 0;
    const err = await (async () => {
      for await (const piece of tree.read('/big.bin')) bytes += piece.length;
    })().catch((e: unknown) => e);
    assert.ok(isRestoreError(err, 'FS_INVALID'), String(err));
    assert.match(err.message, /the cluster chain loops/);
    const cluster = peek(image, 0, 512).readUInt16LE(11) * peek(image, 0, 512)[13]!;
    assert.ok(bytes <= (10 + 3 * 41) * cluster, `${bytes} bytes handed out before the loop was found`);
  });

  it('a chain shorter than the file, and a chain leaving the volume: FS_INVALID', async () => {
    const image = await volume(16, 'short');
    const big = clusters(image, '/big.bin');
    setFat(image, big[3]!, 0xfff8);
    const tree = await openImageTree(imageReader(image));
    await expectCode(sha256Of(tree, '/big.bin'), 'FS_INVALID', /the cluster chain ends after 4 of \d+ clusters/);
    setFat(image, big[3]!, 0xfff0);
    const again = await openImageTree(imageReader(image));
    await expectCode(sha256Of(again, '/big.bin'), 'FS_INVALID', /cluster 65520, outside/);
    assert.equal((await again.list('/etc')).length, 2, 'the rest still lists');
  });

  it('a directory whose chain loops onto itself (FAT32 root): FS_INVALID', async () => {
    const image = await volume(32, 'rootloop');
    const root = peek(image, 0, 512).readUInt32LE(44);
    setFat(image, root, root);
    await expectCode((await openImageTree(imageReader(image))).list('/'), 'FS_INVALID', /loops/);
  });

  it('a long name whose checksum does not match its 8.3 entry: the 8.3 name is shown', async () => {
    const image = await volume(16, 'lfnsum');
    const { root } = layout(image);
    const region = peek(image, root, 512 * 32);
    const at = region.indexOf(Buffer.from('Mixed', 'utf16le'));
    assert.ok(at > 0);
    const entry = root + at - 1;
    patch(image, entry + 13, Buffer.from([peek(image, entry + 13, 1)[0]! ^ 0xff]));
    const names = (await (await openImageTree(imageReader(image))).list('/')).map((e) => e.name);
    assert.ok(!names.includes('Mixed Case Name.TXT'));
    assert.ok(names.some((n) => /^MIXEDC~\d\.TXT$/.test(n)), names.join(', '));
  });

  it('a boot sector with nonsense geometry is not taken for FAT', async () => {
    const image = await volume(12, 'nobpb');
    patch(image, 11, Buffer.from([0, 0])); // 0 bytes per sector
    const tree = await openImageTree(imageReader(image));
    await expectCode(tree.list('/'), 'FS_UNSUPPORTED', /no known filesystem/);
  });
});
