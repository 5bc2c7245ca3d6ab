// Ceilings measured in the same run, the denominators of the ratios: one decode worker's
// throughput, a raw parallel read of the chunk files, a raw positional write of the same bytes.
import { open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DecodePool } from '../electron/engine/decodePool.ts';
import type { CryptConfig } from '../electron/pbs/cryptConfig.ts';
import { zeroChunkDigest } from '../electron/pbs/dataBlob.ts';
import { DIGEST_SIZE, parseFixedIndex } from '../electron/pbs/fixedIndex.ts';
import { toHex } from '../electron/pbs/hex.ts';
import { backupTimeName } from '../electron/pbs/names.ts';
import { BENCH_TIME, CHUNK, type BenchImage } from './dataset.ts';

/** Paths of the non-zero chunks, in index order (duplicates kept: a restore reads them too). */
async function chunkPaths(root: string, image: BenchImage, crypt?: CryptConfig): Promise<string[]> {
  const index = parseFixedIndex(await readFile(join(root, 'vm', image.id, backupTimeName(BENCH_TIME), image.archive)));
  const zero = zeroChunkDigest(index.chunkSize, crypt);
  const out: string[] = [];
  for (let off = 0; off < index.digests.length; off += DIGEST_SIZE) {
    const d = index.digests.subarray(off, off + DIGEST_SIZE);
    if (d.equals(zero)) continue;
    const hex = toHex(d);
    out.push(join(root, '.chunks', hex.slice(0, 4), hex));
  }
  return out;
}

async function pool<T>(items: T[], n: number, fn: (x: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!, i);
    }
  }));
}

/** MB/s of image bytes one decode worker produces (kept busy: two tasks outstanding). */
export async function decodeCeiling(root: string, image: BenchImage, crypt?: CryptConfig): Promise<number> {
  const raws = await Promise.all((await chunkPaths(root, image, crypt)).map((p) => readFile(p)));
  const one = new DecodePool(1);
  try {
    await one.decode(Buffer.from(raws[0]!), crypt ? { crypt } : {}); // start the worker outside the timing
    const t0 = performance.now();
    await pool(raws, 2, async (raw) => {
      await one.decode(Buffer.from(raw), { expectedSize: CHUNK, ...(crypt ? { crypt, cryptMode: 'encrypt' } : {}) });
    });
    return (raws.length * CHUNK) / 1e6 / ((performance.now() - t0) / 1000);
  } finally {
    await one.close();
  }
}

/** MB/s of image work bytes when reading the chunk files with 16 reads in flight. */
export async function readCeiling(root: string, image: BenchImage, crypt?: CryptConfig): Promise<number> {
  const paths = await chunkPaths(root, image, crypt);
  const t0 = performance.now();
  await pool(paths, 16, async (p) => void (await readFile(p)));
  return (paths.length * CHUNK) / 1e6 / ((performance.now() - t0) / 1000);
}

/** MB/s of positional 4 MiB writes, 4 in flight, into a sparse file, synced at the end. */
export async function writeCeiling(dir: string, image: BenchImage): Promise<number> {
  const path = join(dir, 'write-ceiling.raw');
  const buf = Buffer.alloc(CHUNK, 0x5a);
  const offsets = Array.from({ length: image.chunks - image.zeroChunks }, (_, i) => i * CHUNK);
  const fh = await open(path, 'w');
  try {
    await fh.truncate(image.size);
    const t0 = performance.now();
    await pool(offsets, 4, async (off) => void (await fh.write(buf, 0, CHUNK, off)));
    await fh.sync();
    return image.workBytes / 1e6 / ((performance.now() - t0) / 1000);
  } finally {
    await fh.close();
    await rm(path, { force: true });
  }
}
