// A PBS datastore directory read directly (USB disk, NFS mount, the PBS host itself).
// Layout (PBS chunk_store.rs, hierarchy.rs, backup_info.rs):
//   <root>/.chunks/<first 4 hex>/<64 hex digest>          chunks (DataBlob files)
//   <root>/[ns/<a>/[ns/<b>/…]]<type>/<id>/<YYYY-MM-DDTHH:MM:SSZ>/{index.json.blob,*.fidx,*.didx,*.blob,.protected}
//   <group>/owner (first line), <group>/notes
// Every name from disk or from the caller passes the PBS regexes (names.ts) before it is joined
// into a path, so nothing outside the datastore is read. PBS may prune or collect garbage while we
// read (we cannot take part in its 4.x locking), so a file that vanished is a hard error.
import { constants, type Stats } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { GroupInfo, SnapshotInfo } from '../../shared/catalog.ts';
import { RestoreError, toRestoreError } from '../../shared/errors.ts';
import { toHex } from '../pbs/hex.ts';
import { MAX_MANIFEST_BYTES, MiB, tooLarge } from '../../shared/limits.ts';
import { decodeManifestBlob, MANIFEST_BLOB_NAME, type Manifest } from '../pbs/manifest.ts';
import {
  backupTimeName,
  checkArchiveName,
  checkBackupId,
  checkBackupType,
  checkNamespace,
  isBackupTimeName,
  isBackupType,
  isSafeId,
  parseBackupTimeName,
  type BackupType,
  type SnapshotRef,
} from '../pbs/names.ts';
import type { BackupSource, ChunkAlloc, SnapshotReader } from './chunkSource.ts';

const isEnoent = (e: unknown): boolean => (e as NodeJS.ErrnoException)?.code === 'ENOENT';

async function subdirs(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  } catch (e) {
    if (isEnoent(e)) return [];
    throw toRestoreError(e, `reading ${dir}`);
  }
}

/**
 * A whole regular file in one read after fstat: fs.promises.readFile reads in 512 KiB pieces, i.e.
 * ~11 event-loop round trips per 4 MiB chunk instead of 4, which showed up as main-thread time.
 * Opened with O_NONBLOCK, so a FIFO or a device standing in for a file blocks neither the open
 * nor a thread of libuv's pool; anything but a regular file is refused (NOT_A_FILE), and a file
 * larger than `maxBytes` is refused before anything is allocated (`tooBig` says with which code).
 */
async function readRegular(
  path: string,
  opts: { signal?: AbortSignal; maxBytes?: number; tooBig?: (size: number, max: number) => RestoreError; alloc?: ChunkAlloc } = {},
): Promise<Buffer> {
  const { signal, maxBytes } = opts;
  signal?.throwIfAborted();
  const fh = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new RestoreError('NOT_A_FILE', `${path} is not a regular file (${fileType(st)})`);
    const { size } = st;
    if (maxBytes !== undefined && size > maxBytes) throw (opts.tooBig ?? ((n, m) => tooLarge(path, n, m, 'blob')))(size, maxBytes);
    // Its own ArrayBuffer (never Node's shared pool), so the decode pool can move it to a worker.
    const buf = opts.alloc ? opts.alloc(size) : Buffer.allocUnsafeSlow(size);
    let done = 0;
    while (done < size) {
      signal?.throwIfAborted();
      const { bytesRead } = await fh.read(buf, done, size - done, done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return done === size ? buf : buf.subarray(0, done);
  } finally {
    await fh.close();
  }
}

function fileType(st: Stats): string {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isDirectory()) return 'a folder';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'not a file';
}

/** The first line of a small metadata file (owner, notes); undefined when absent or not a plain file. */
async function firstLine(path: string): Promise<string | undefined> {
  try {
    const line = (await readRegular(path, { maxBytes: MiB })).toString('utf8').split('\n', 1)[0]!.trim();
    return line || undefined;
  } catch {
    return undefined;
  }
}

export class LocalDatastore implements BackupSource {
  readonly root: string;
  readonly label: string;
  readonly localPath: string;

  private constructor(root: string) {
    this.root = root;
    this.label = root;
    this.localPath = root;
  }

  /** Opens a datastore directory; it must contain `.chunks`. */
  static async open(dir: string): Promise<LocalDatastore> {
    const root = resolve(dir);
    try {
      if (!(await stat(join(root, '.chunks'))).isDirectory()) throw new Error('.chunks is not a directory');
    } catch (e) {
      throw new RestoreError('DATASTORE_NOT_FOUND', `${root} is not a PBS datastore (no .chunks directory)`, { cause: e });
    }
    return new LocalDatastore(root);
  }

  nsDir(ns: string): string {
    return join(this.root, ...checkNamespace(ns).flatMap((c) => ['ns', c]));
  }

  snapshotDir(ref: SnapshotRef): string {
    return join(this.nsDir(ref.ns), checkBackupType(ref.type), checkBackupId(ref.id), backupTimeName(ref.time));
  }

  chunkPath(digest: Uint8Array): string {
    const hex = toHex(digest);
    return join(this.root, '.chunks', hex.slice(0, 4), hex);
  }

  /** The namespace and all below it, the anchor first (as PBS's recursive iterator yields them). */
  async listNamespaces(parent = ''): Promise<string[]> {
    const out = [parent];
    const depth = checkNamespace(parent).length;
    if (depth >= 7) return out;
    for (const name of await subdirs(join(this.nsDir(parent), 'ns'))) {
      if (!isSafeId(name)) continue;
      out.push(...(await this.listNamespaces(parent ? `${parent}/${name}` : name)));
    }
    return out;
  }

  private async groupDirs(ns: string): Promise<Array<{ type: BackupType; id: string; dir: string }>> {
    const base = this.nsDir(ns);
    const out = [];
    for (const type of (await subdirs(base)).filter(isBackupType)) {
      for (const id of await subdirs(join(base, type))) {
        if (/^[A-Za-z0-9_][A-Za-z0-9._-]*$/.test(id)) out.push({ type, id, dir: join(base, type, id) });
      }
    }
    return out;
  }

  async listGroups(ns: string): Promise<GroupInfo[]> {
    const out: GroupInfo[] = [];
    for (const g of await this.groupDirs(ns)) {
      const snaps = await this.finishedSnapshotTimes(g.dir);
      if (snaps.length === 0) continue;
      out.push({
        ns,
        backupType: g.type,
        backupId: g.id,
        lastBackup: Math.max(...snaps),
        backupCount: snaps.length,
        owner: await firstLine(join(g.dir, 'owner')),
        comment: await firstLine(join(g.dir, 'notes')),
      });
    }
    return out;
  }

  private async finishedSnapshotTimes(groupDir: string): Promise<number[]> {
    const times = [];
    for (const name of await subdirs(groupDir)) {
      if (!isBackupTimeName(name)) continue;
      try {
        await stat(join(groupDir, name, MANIFEST_BLOB_NAME));
        times.push(parseBackupTimeName(name));
      } catch {
        // no manifest: an unfinished or aborted backup, which cannot be restored
      }
    }
    return times;
  }

  /** Finished snapshots of a namespace (optionally of one group), oldest first per group. */
  async listSnapshots(ns: string, group?: { type: string; id: string }): Promise<SnapshotInfo[]> {
    const out: SnapshotInfo[] = [];
    for (const g of await this.groupDirs(ns)) {
      if (group && (g.type !== group.type || g.id !== group.id)) continue;
      const owner = await firstLine(join(g.dir, 'owner'));
      for (const time of (await this.finishedSnapshotTimes(g.dir)).sort((a, b) => a - b)) {
        const ref: SnapshotRef = { ns, type: g.type, id: g.id, time };
        out.push(await this.snapshotInfo(ref, owner));
      }
    }
    return out;
  }

  async readManifest(ref: SnapshotRef): Promise<Manifest> {
    return decodeManifestBlob(await this.readSnapshotFile(ref, MANIFEST_BLOB_NAME, undefined, MAX_MANIFEST_BYTES));
  }

  private async snapshotInfo(ref: SnapshotRef, owner: string | undefined): Promise<SnapshotInfo> {
    const dir = this.snapshotDir(ref);
    const m = await this.readManifest(ref);
    const verify = m.unprotected.verify_state as { state?: unknown } | undefined;
    const notes = m.unprotected.notes;
    const fp = m.unprotected['key-fingerprint'];
    const files = m.files.map((f) => ({ filename: f.filename, size: f.size, cryptMode: f.cryptMode }));
    return {
      ns: ref.ns,
      backupType: ref.type,
      backupId: ref.id,
      backupTime: ref.time,
      files,
      size: files.reduce((s, f) => s + f.size, 0),
      protected: await stat(join(dir, '.protected')).then(() => true, () => false),
      ...(verify?.state === 'ok' || verify?.state === 'failed' ? { verifyState: verify.state } : {}),
      ...(typeof fp === 'string' ? { keyFingerprint: fp } : {}),
      ...(typeof notes === 'string' && notes.trim() ? { comment: notes.split('\n', 1)[0]!.trim() } : {}),
      ...(owner ? { owner } : {}),
    };
  }

  /** A file of a snapshot; one larger than `maxBytes` is refused before it is read. */
  async readSnapshotFile(ref: SnapshotRef, name: string, signal?: AbortSignal, maxBytes?: number): Promise<Buffer> {
    const dir = this.snapshotDir(ref);
    const path = join(dir, checkArchiveName(name));
    const kind = name.endsWith('.fidx') || name.endsWith('.didx') ? 'index' : 'blob';
    try {
      return await readRegular(path, { ...(signal ? { signal } : {}), ...(maxBytes !== undefined ? { maxBytes } : {}), tooBig: (n, m) => tooLarge(path, n, m, kind) });
    } catch (e) {
      if (!isEnoent(e)) throw toRestoreError(e, `reading ${path}`);
      const snapExists = await stat(join(dir, MANIFEST_BLOB_NAME)).then(() => true, () => false);
      if (!snapExists) {
        throw new RestoreError('SNAPSHOT_NOT_FOUND', `snapshot ${ref.type}/${ref.id}/${backupTimeName(ref.time)}${ref.ns ? ` in namespace ${ref.ns}` : ''} not found in ${this.root}`);
      }
      throw new RestoreError('ARCHIVE_NOT_FOUND', `${name} not found in ${dir}`);
    }
  }

  /** A chunk file's bytes; one larger than `maxBytes` (the largest valid blob) is refused unread. */
  async readChunk(digest: Uint8Array, signal?: AbortSignal, maxBytes?: number, alloc?: ChunkAlloc): Promise<Buffer> {
    const path = this.chunkPath(digest);
    let raw: Buffer;
    try {
      raw = await readRegular(path, {
        ...(signal ? { signal } : {}),
        ...(maxBytes !== undefined ? { maxBytes } : {}),
        ...(alloc ? { alloc } : {}),
        tooBig: (n, m) => tooLarge(`chunk file ${path}`, n, m, 'blob'),
      });
    } catch (e) {
      if (isEnoent(e)) throw new RestoreError('CHUNK_MISSING', `chunk file ${path} is missing`);
      throw toRestoreError(e, `reading chunk ${path}`);
    }
    // 0-byte files are S3-cache eviction markers or corruption; never data.
    if (raw.length === 0) throw new RestoreError('CHUNK_EMPTY', `chunk file ${path} is empty (an evicted S3 cache entry or corruption)`);
    return raw;
  }

  async openSnapshot(ref: SnapshotRef): Promise<SnapshotReader> {
    // Fail early with SNAPSHOT_NOT_FOUND rather than at the first file.
    await this.readSnapshotFile(ref, MANIFEST_BLOB_NAME, undefined, MAX_MANIFEST_BYTES);
    return {
      ref,
      readFile: (name, signal, maxBytes) => this.readSnapshotFile(ref, name, signal, maxBytes),
      readChunk: (digest, signal, maxBytes, alloc) => this.readChunk(digest, signal, maxBytes, alloc),
      close: async () => {},
    };
  }
}
