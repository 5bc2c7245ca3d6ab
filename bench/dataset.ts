// Benchmark datastores, written with the project's own format encoders: a mixed image (zero,
// compressible and incompressible chunks, as VM disks have), a zero-heavy one, and the mixed one
// encrypted. 4 MiB chunks like PBS. Content is deterministic (AES-CTR keystream, seeded text).
import { createCipheriv, createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CryptConfig } from '../electron/pbs/cryptConfig.ts';
import { buildChunk } from '../electron/pbs/dataBlob.ts';
import { writeFixedIndex } from '../electron/pbs/fixedIndex.ts';
import { toHex } from '../electron/pbs/hex.ts';
import { encodeManifestBlob } from '../electron/pbs/manifest.ts';
import { backupTimeName } from '../electron/pbs/names.ts';

export const CHUNK = 4 * 1024 * 1024;
export const BENCH_TIME = Date.UTC(2026, 0, 1) / 1000;

export interface BenchImage {
  id: string;
  archive: string;
  size: number;
  chunks: number;
  zeroChunks: number;
  /** Image bytes that need fetching and decoding (non-zero chunks). */
  workBytes: number;
  encrypted: boolean;
}

export const benchKey = new CryptConfig(createHash('sha256').update('restore-console bench key').digest());

function randomChunk(seed: string): Buffer {
  const key = createHash('sha256').update(seed).digest();
  return createCipheriv('aes-256-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(CHUNK));
}

/** Log-like text: compresses about 3-4x with zstd level 1, like OS and application files. */
function textChunk(seed: string): Buffer {
  const words = ['kernel', 'systemd', 'eth0', 'link', 'up', 'nginx', 'GET', '/index.html', '200', 'session', 'opened', 'for', 'user', 'root', 'cron', 'backup', 'started', 'finished'];
  const out = Buffer.alloc(CHUNK);
  let h = createHash('sha256').update(seed).digest();
  let off = 0;
  let n = 0;
  while (off < CHUNK) {
    if (n % 8 === 0) h = createHash('sha256').update(h).digest();
    const line = `2026-01-01T00:${String(n % 60).padStart(2, '0')}:${String(h[n % 32]! % 60).padStart(2, '0')} host ${words[h[(n + 1) % 32]! % words.length]} ${words[h[(n + 2) % 32]! % words.length]}[${h.readUInt16LE(n % 30)}]: ${words[h[(n + 3) % 32]! % words.length]} ${h.readUInt32LE(n % 28)}\n`;
    off += out.write(line, off);
    n++;
  }
  return out;
}

/** Chunk kinds by position: 'z' zero, 't' text, 'r' random. */
function layout(kind: 'mixed' | 'zero-heavy', chunks: number): string[] {
  return Array.from({ length: chunks }, (_, i) => {
    if (kind === 'zero-heavy') return i % 10 === 3 ? 'r' : i % 10 === 7 ? 't' : 'z';
    return ['z', 't', 'r', 't', 'z', 'r', 't', 'r'][i % 8]!;
  });
}

/** Writes one disk's chunks into the chunk store; returns its index and what it holds. */
async function writeDisk(root: string, seed: string, kind: 'mixed' | 'zero-heavy', sizeMiB: number, crypt?: CryptConfig): Promise<{ fidx: Buffer; size: number; chunks: number; zeroChunks: number }> {
  const chunks = Math.max(1, Math.floor((sizeMiB * 1024 * 1024) / CHUNK));
  const digests: Buffer[] = [];
  let zeroChunks = 0;
  const kinds = layout(kind, chunks);
  for (let i = 0; i < chunks; i++) {
    const k = kinds[i]!;
    if (k === 'z') zeroChunks++;
    const data = k === 'z' ? Buffer.alloc(CHUNK) : k === 't' ? textChunk(`${seed}-${i}`) : randomChunk(`${seed}-${i}`);
    const { digest, blob } = buildChunk(data, { compress: true, ...(crypt ? { crypt } : {}) });
    const hex = toHex(digest);
    await mkdir(join(root, '.chunks', hex.slice(0, 4)), { recursive: true });
    await writeFile(join(root, '.chunks', hex.slice(0, 4), hex), blob);
    digests.push(digest);
  }
  const size = chunks * CHUNK;
  return { fidx: writeFixedIndex({ size, chunkSize: CHUNK, digests, ctime: BENCH_TIME }), size, chunks, zeroChunks };
}

/** A snapshot of VM `id` with the given disks, its manifest listing them in this order. */
async function writeVm(root: string, id: string, disks: Array<{ archive: string; kind: 'mixed' | 'zero-heavy'; sizeMiB: number }>, crypt?: CryptConfig): Promise<BenchImage[]> {
  const dir = join(root, 'vm', id, backupTimeName(BENCH_TIME));
  await mkdir(dir, { recursive: true });
  const cryptMode = crypt ? ('encrypt' as const) : ('none' as const);
  const files = [];
  const images: BenchImage[] = [];
  for (const d of disks) {
    // The first disk's seed is the VM id alone, so single-disk images stay what they were.
    const w = await writeDisk(root, images.length ? `${id}-${d.archive}` : id, d.kind, d.sizeMiB, crypt);
    await writeFile(join(dir, d.archive), w.fidx);
    files.push({ filename: d.archive, cryptMode, size: w.size, csum: createHash('sha256').update(w.fidx.subarray(4096)).digest() });
    images.push({ id, archive: d.archive, size: w.size, chunks: w.chunks, zeroChunks: w.zeroChunks, workBytes: (w.chunks - w.zeroChunks) * CHUNK, encrypted: Boolean(crypt) });
  }
  await writeFile(join(dir, 'index.json.blob'), encodeManifestBlob({ backupType: 'vm', backupId: id, backupTime: BENCH_TIME, files }, crypt));
  return images;
}

async function writeSnapshot(root: string, id: string, kind: 'mixed' | 'zero-heavy', sizeMiB: number, crypt?: CryptConfig): Promise<BenchImage> {
  return (await writeVm(root, id, [{ archive: 'drive-scsi0.img.fidx', kind, sizeMiB }], crypt))[0]!;
}

/**
 * A VM with two disks, as PVE backs up a system disk and a data disk: three quarters and one
 * quarter of `sizeMiB`, mixed content.
 */
export async function writeTwoDiskVm(root: string, sizeMiB: number): Promise<BenchImage[]> {
  return writeVm(root, '903', [
    { archive: 'drive-scsi0.img.fidx', kind: 'mixed', sizeMiB: (sizeMiB * 3) / 4 },
    { archive: 'drive-scsi1.img.fidx', kind: 'mixed', sizeMiB: sizeMiB / 4 },
  ]);
}

export async function writeBenchDatastore(root: string, sizeMiB: number): Promise<Record<'mixed' | 'zeroHeavy' | 'encrypted', BenchImage>> {
  await mkdir(join(root, '.chunks'), { recursive: true });
  return {
    mixed: await writeSnapshot(root, '900', 'mixed', sizeMiB),
    zeroHeavy: await writeSnapshot(root, '901', 'zero-heavy', sizeMiB),
    encrypted: await writeSnapshot(root, '902', 'mixed', sizeMiB, benchKey),
  };
}
