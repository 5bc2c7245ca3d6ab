// Disk images for the file-browsing tests, made with the Debian tools a real system uses
// (mkfs.ext4 -d, mkfs.vfat + mcopy, sgdisk, sfdisk), and a ByteReader over an image file that
// counts the distinct 4 MiB chunks it touched, the way a backup's chunks would be fetched.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, closeSync, existsSync, constants, fstatSync, openSync, readSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { after } from 'node:test';
import type { ByteReader, FileTree } from '../../electron/files/fileTree.ts';

const SBIN = ['/usr/sbin', '/sbin'];

function which(tool: string): string | undefined {
  for (const dir of [...(process.env.PATH ?? '').split(delimiter), ...SBIN]) {
    try {
      accessSync(join(dir, tool), constants.X_OK);
      return join(dir, tool);
    } catch {
      // not here
    }
  }
  return undefined;
}

export const TOOL_PACKAGES = 'e2fsprogs, dosfstools, mtools, gdisk, fdisk';

/**
 * False when every tool is there; otherwise the reason to skip the tests that need them. Under CI
 * (CI set) a missing tool is an error: CI installs them (.ci/run), so a skip there would hide tests.
 */
export function skipWithout(...tools: string[]): string | false {
  const missing = tools.filter((t) => !which(t));
  if (missing.length === 0) return false;
  const why = `needs ${missing.join(', ')} (Debian packages ${TOOL_PACKAGES})`;
  if (process.env.CI) throw new Error(`CI must provide the disk tools: ${why}`);
  return why;
}

/** Run a Debian tool (found in sbin too) with a UTF-8 C locale (mtools converts names by it) and UTC times; returns its stdout. */
export function tool(name: string, args: string[], input?: string): string {
  const path = which(name) ?? name;
  return execFileSync(path, args, {
    encoding: 'utf8',
    input,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, LC_ALL: 'C.UTF-8', TZ: 'UTC', MTOOLS_SKIP_CHECK: '1' },
  });
}

export interface CountingReader extends ByteReader {
  /** Distinct 4 MiB chunks any read touched so far. */
  chunks: Set<number>;
  reads: number;
}

export const CHUNK = 4 * 2 ** 20;

/** A ByteReader over an image file; answers on a later turn of the event loop, as a real source does. */
export function imageReader(path: string): CountingReader {
  const fd = openSync(path, 'r');
  after(() => closeSync(fd));
  const size = fstatSync(fd).size;
  const r: CountingReader = {
    size,
    chunks: new Set(),
    reads: 0,
    async read(offset, length) {
      await new Promise((res) => setImmediate(res));
      const n = Math.max(0, Math.min(length, size - offset));
      const b = Buffer.alloc(n);
      if (n > 0) readSync(fd, b, 0, n, offset);
      r.reads++;
      for (let c = Math.floor(offset / CHUNK); n > 0 && c <= Math.floor((offset + n - 1) / CHUNK); c++) r.chunks.add(c);
      return b;
    },
  };
  return r;
}

/** An in-memory image as a ByteReader. */
export function bufferReader(buf: Buffer): ByteReader {
  return { size: buf.length, read: async (o, l) => Buffer.from(buf.subarray(o, Math.min(buf.length, o + l))) };
}

export async function sha256Of(tree: FileTree, path: string): Promise<{ sha256: string; bytes: number; maxPiece: number }> {
  const h = createHash('sha256');
  let bytes = 0;
  let maxPiece = 0;
  for await (const piece of tree.read(path)) {
    h.update(piece);
    bytes += piece.length;
    maxPiece = Math.max(maxPiece, piece.length);
  }
  return { sha256: h.digest('hex'), bytes, maxPiece };
}

/** Overwrite bytes of an image file in place (to damage it). */
export function patch(path: string, offset: number, bytes: Uint8Array): void {
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, bytes, 0, bytes.length, offset);
  } finally {
    closeSync(fd);
  }
}

/** Read bytes of an image file. */
export function peek(path: string, offset: number, length: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(length);
    readSync(fd, b, 0, length, offset);
    return b;
  } finally {
    closeSync(fd);
  }
}

const MiB = 2 ** 20;

/** A new file of `size` bytes, all a hole. */
export function sparseFile(path: string, size: number): void {
  writeFileSync(path, '');
  truncateSync(path, size);
}

export interface ExtOptions {
  offset?: number;
  type?: 'ext2' | 'ext3' | 'ext4';
  /** Given explicitly: mke2fs.conf picks 1 KiB blocks for small filesystems otherwise. */
  blockSize?: 1024 | 2048 | 4096 | 65536;
  inodeSize?: 128 | 256;
  args?: string[];
}

/** mke2fs -d SRC into IMAGE at byte `offset` (created when missing), `size` bytes. */
export function mkext(image: string, src: string, size: number, opts: ExtOptions = {}): void {
  if (!existsSync(image)) sparseFile(image, (opts.offset ?? 0) + size);
  const ext = [`offset=${opts.offset ?? 0}`, 'lazy_itable_init=1', 'nodiscard'];
  const geometry = ['-b', String(opts.blockSize ?? 4096), '-I', String(opts.inodeSize ?? 256)];
  tool('mke2fs', ['-q', '-F', '-t', opts.type ?? 'ext4', ...geometry, '-d', src, '-E', ext.join(','), ...(opts.args ?? []), image, `${size / 1024}k`]);
}

/** mkfs.vfat -F BITS into IMAGE at byte `offset`, `size` bytes; then `mcopy -s -m` the given paths into it. */
export function mkfat(image: string, bits: 12 | 16 | 32, size: number, copy: string[], opts: { offset?: number; args?: string[] } = {}): void {
  const offset = opts.offset ?? 0;
  if (!existsSync(image)) sparseFile(image, offset + size);
  tool('mkfs.vfat', ['-F', String(bits), '--offset', String(offset / 512), ...(opts.args ?? []), image, String(size / 1024)]);
  if (copy.length) tool('mcopy', ['-s', '-m', '-i', `${image}@@${offset}`, ...copy, '::/']);
}

/** A GPT disk image of `size` bytes with partitions given as sgdisk -n/-t/-c values (start and end in MiB). */
export function gptDisk(image: string, size: number, parts: Array<{ startMiB: number; endMiB: number; code: string; name?: string }>): void {
  sparseFile(image, size);
  const args = parts.flatMap((p, i) => [
    '-n', `${i + 1}:${(p.startMiB * MiB) / 512}:${(p.endMiB * MiB) / 512 - 1}`,
    '-t', `${i + 1}:${p.code}`,
    ...(p.name ? ['-c', `${i + 1}:${p.name}`] : []),
  ]);
  tool('sgdisk', [...args, image]);
}

/** An MBR disk image of `size` bytes partitioned by an sfdisk script. */
export function mbrDisk(image: string, size: number, script: string): void {
  sparseFile(image, size);
  tool('sfdisk', ['-q', '--no-reread', '--no-tell-kernel', image], script);
}

export { MiB };
