// The guest configuration stored with a VM or container backup (qemu-server.conf.blob,
// pct.conf.blob): found in the manifest, read and checked against it (size and SHA-256, as
// proxmox-backup-client's restore of a blob does), decoded with the key when encrypted, and
// written beside the restored disks as the text file PVE keeps (`qemu-server.conf`, `pct.conf`).
// Writing never replaces an existing file unless forced: the text goes to `<path>.partial`, is
// synced, and is then linked to the final name (which fails when the name exists) or, forced,
// renamed over it.
import { createHash } from 'node:crypto';
import { link, open, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { CryptConfig } from '../pbs/cryptConfig.ts';
import { decodeBlob } from '../pbs/dataBlob.ts';
import { RestoreError, toRestoreError } from '../../shared/errors.ts';
import { MAX_CONFIG_BYTES, tooLarge } from '../../shared/limits.ts';
import { checkManifestKey, verifyManifestFile, type Manifest, type ManifestFile } from '../pbs/manifest.ts';
import type { SnapshotReader } from '../source/chunkSource.ts';

/** The config blobs PVE uploads, VM first. */
export const GUEST_CONFIG_BLOBS = ['qemu-server.conf.blob', 'pct.conf.blob'] as const;


export interface GuestConfigText {
  /** The file name PVE uses: qemu-server.conf or pct.conf. */
  filename: string;
  /** The blob it came from. */
  blob: string;
  encrypted: boolean;
  text: string;
}

/** The manifest's guest config entry, if the snapshot has one. */
export function guestConfigEntry(m: Manifest): ManifestFile | undefined {
  return m.files.find((f) => (GUEST_CONFIG_BLOBS as readonly string[]).includes(f.filename));
}

/** Reads, checks and decodes the snapshot's guest config; undefined when it has none. */
export async function readGuestConfig(reader: SnapshotReader, m: Manifest, crypt: CryptConfig | undefined, signal?: AbortSignal): Promise<GuestConfigText | undefined> {
  const entry = guestConfigEntry(m);
  if (!entry) return undefined;
  const encrypted = entry.cryptMode === 'encrypt';
  checkManifestKey(m, crypt, encrypted);
  // A few KiB in PVE: anything past the bound is refused before it is read or inflated.
  if (entry.size > MAX_CONFIG_BYTES) throw tooLarge(entry.filename, entry.size, MAX_CONFIG_BYTES, 'blob');
  const raw = await reader.readFile(entry.filename, signal, MAX_CONFIG_BYTES);
  verifyManifestFile(m, entry.filename, createHash('sha256').update(raw).digest(), raw.length);
  const text = decodeBlob(raw, { maxSize: MAX_CONFIG_BYTES, ...(encrypted ? { crypt: crypt!, cryptMode: 'encrypt' as const } : {}) }).toString('utf8');
  return { filename: entry.filename.replace(/\.blob$/, ''), blob: entry.filename, encrypted, text };
}

/** Before the first chunk: the config may be written at `path` (its folder exists; nothing there, or force). */
export async function checkConfigTarget(path: string, force: boolean): Promise<void> {
  const st = await stat(path).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return undefined;
    throw toRestoreError(e, `checking ${path}`);
  });
  if (st && !st.isFile()) throw new RestoreError('TARGET_NOT_WRITABLE', `${path} exists and is not a regular file`);
  if (st && !force) throw new RestoreError('TARGET_EXISTS', `${path} already exists: pass --force to replace it`);
  const parent = await stat(dirname(path)).catch(() => undefined);
  if (!parent?.isDirectory()) throw new RestoreError('TARGET_NOT_WRITABLE', `the folder ${dirname(path)} does not exist`);
}

/** Writes the config text at `path`; an existing file is replaced only with `force`. */
export async function writeGuestConfig(path: string, text: string, force: boolean): Promise<void> {
  const partial = `${path}.partial`;
  try {
    const fh = await open(partial, 'w', 0o644);
    try {
      await fh.writeFile(text);
      await fh.sync();
    } finally {
      await fh.close();
    }
    if (force) await rename(partial, path);
    else {
      // link() refuses an existing name, so a file that appeared since the check is never replaced.
      await link(partial, path);
      await rm(partial, { force: true });
    }
  } catch (e) {
    await rm(partial, { force: true }).catch(() => {});
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new RestoreError('TARGET_EXISTS', `${path} already exists: pass --force to replace it`);
    throw toRestoreError(e, `writing ${path}`);
  }
}
