// Ceilings measured in the same run, the denominators of the ratios: the native primitives in one
// thread, a raw parallel read of the chunk files, a raw positional write of the same bytes.
import { createDecipheriv, createHash } from 'node:crypto';
import { open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { crc32 } from 'node:zlib';
import type { CryptConfig } from '../electron/pbs/cryptConfig.ts';
import { BLOB_HEADER_SIZE, ENCRYPTED_BLOB_HEADER_SIZE, isCompressedBlob, zeroChunkDigest } from '../electron/pbs/dataBlob.ts';
import { zstdDecompressInto } from '../electron/pbs/zstdInto.ts';
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

export interface NativeCeiling {
  /** Work MB (10^6) per second of one thread. */
  mbps: number;
  /** CPU seconds of that thread per GB (10^9) of work bytes. */
  cpuSecPerGB: number;
}

/**
 * The native-primitive ceiling: one thread in a tight loop over the same chunk files, doing only
 * what verifying a chunk must do with Node's native primitives: CRC32, AES-256-GCM for encrypted
 * chunks (64 KiB slices), zstd into one reused buffer, SHA-256 (keyed when encrypted). No workers,
 * no scheduling, no writes: what a C decoder would cost, give or take Node's call overhead.
 */
export async function nativeCeiling(root: string, image: BenchImage, crypt?: CryptConfig, minSeconds = 1): Promise<NativeCeiling> {
  const raws = await Promise.all((await chunkPaths(root, image, crypt)).map((p) => readFile(p)));
  const out = Buffer.allocUnsafeSlow(CHUNK);
  const plain = Buffer.allocUnsafeSlow(CHUNK + ENCRYPTED_BLOB_HEADER_SIZE);
  const one = (raw: Buffer): void => {
    const header = crypt ? ENCRYPTED_BLOB_HEADER_SIZE : BLOB_HEADER_SIZE;
    let payload: Uint8Array = raw.subarray(header);
    if (crc32(payload) !== raw.readUInt32LE(8)) throw new Error('bench chunk has a wrong CRC');
    if (crypt) {
      const d = createDecipheriv('aes-256-gcm', crypt.encKey, raw.subarray(12, 28));
      d.setAuthTag(raw.subarray(28, 44));
      let w = 0;
      for (let off = 0; off < payload.length; off += 64 * 1024) w += d.update(payload.subarray(off, off + 64 * 1024)).copy(plain, w);
      d.final();
      payload = plain.subarray(0, w);
    }
    const data = isCompressedBlob(raw) ? out.subarray(0, zstdDecompressInto(payload, out)) : payload;
    (crypt ? createHash('sha256').update(data).update(crypt.idKey) : createHash('sha256').update(data)).digest();
  };
  for (const raw of raws.slice(0, 4)) one(raw); // JIT and the zstd context outside the timing
  let bytes = 0;
  const cpu0 = process.threadCpuUsage();
  const t0 = performance.now();
  do {
    for (const raw of raws) one(raw);
    bytes += raws.length * CHUNK;
  } while (performance.now() - t0 < minSeconds * 1000);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.threadCpuUsage(cpu0);
  return { mbps: bytes / 1e6 / seconds, cpuSecPerGB: (cpu.user + cpu.system) / 1e6 / (bytes / 1e9) };
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
