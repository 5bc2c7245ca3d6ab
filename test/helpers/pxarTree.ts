// The tree the pxar tests archive: every entry type, attributes to skip, a long and a non-ASCII
// name, an empty directory, a hardlink and a file large enough to span several chunks.
import { createHash } from 'node:crypto';
import type { PxarMeta, PxarNode } from '../../electron/pbs/pxar/encoder.ts';

export const MTIME = 1767225600; // 2026-01-01T00:00:00Z

/** Deterministic bytes that do not compress away (so chunking has something to do). */
export function pseudoRandom(seed: string, length: number): Buffer {
  const out = Buffer.alloc(length);
  let block = createHash('sha256').update(seed).digest();
  for (let off = 0; off < length; off += 32) {
    block.copy(out, off);
    block = createHash('sha256').update(block).digest();
  }
  return out;
}

export const LONG_NAME = `${'long-name-'.repeat(25)}12345`; // 255 bytes, NAME_MAX on Linux
export const UTF8_NAME = 'Größe – 日本.txt';

export function testTree(bigSize: number): PxarMeta & { children: PxarNode[] } {
  const m = (mode: number, extra: Partial<PxarMeta> = {}): PxarMeta => ({ mode, uid: 0, gid: 0, mtime: MTIME, ...extra });
  return {
    ...m(0o755),
    children: [
      {
        kind: 'dir', name: 'etc', ...m(0o755), children: [
          { kind: 'file', name: 'hostname', ...m(0o644), data: Buffer.from('ct300\n') },
          { kind: 'file', name: 'hosts', ...m(0o644, { xattrs: [['user.comment', 'kept by the archive']], mtimeNanos: 250_000_000 }), data: Buffer.from('127.0.0.1 localhost\n::1 localhost\n') },
          { kind: 'symlink', name: 'localtime', ...m(0o777), target: '/usr/share/zoneinfo/Europe/Vienna' },
          {
            kind: 'dir', name: 'nginx', ...m(0o755, { acl: { users: [{ uid: 33, permissions: 7 }], groupObj: 5, default: [7, 5, 5, 5] } }), children: [
              { kind: 'file', name: 'nginx.conf', ...m(0o644, { uid: 33, gid: 33 }), data: Buffer.from('worker_processes auto;\nevents { worker_connections 768; }\n') },
            ],
          },
        ],
      },
      { kind: 'dir', name: 'empty', ...m(0o700), children: [] },
      {
        kind: 'dir', name: 'var', ...m(0o755), children: [
          { kind: 'file', name: 'big.bin', ...m(0o600, { fcaps: Buffer.from([1, 0, 0, 2, 0x20, 0, 0, 0]), quotaProjectId: 42 }), data: pseudoRandom('big', bigSize) },
          { kind: 'hardlink', name: 'big.link', target: 'var/big.bin' },
          { kind: 'file', name: 'empty.txt', ...m(0o644), data: Buffer.alloc(0) },
          { kind: 'fifo', name: 'fifo', ...m(0o600) },
          { kind: 'socket', name: 'sock', ...m(0o755) },
        ],
      },
      {
        kind: 'dir', name: 'dev', ...m(0o755), children: [
          { kind: 'device', name: 'null', ...m(0o666), major: 1, minor: 3 },
          { kind: 'device', name: 'sda', ...m(0o660, { gid: 6 }), block: true, major: 8, minor: 0 },
        ],
      },
      { kind: 'file', name: LONG_NAME, ...m(0o644), data: Buffer.from('a long name\n') },
      { kind: 'file', name: UTF8_NAME, ...m(0o644), data: Buffer.from('utf-8\n') },
    ],
  };
}

/** A directory of `n` small files, for goodbye tables larger than a handful of items. */
export function wideDir(n: number): PxarNode {
  return {
    kind: 'dir', name: 'wide', mode: 0o755, mtime: MTIME,
    children: Array.from({ length: n }, (_, i) => ({ kind: 'file' as const, name: `f${i}`, mode: 0o644, mtime: MTIME, data: Buffer.from(`file ${i}\n`) })),
  };
}
