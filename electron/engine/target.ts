// Where a restore writes. Rules, so that a failed or cancelled restore never looks complete, two
// restores never share a target, and nothing that exists is destroyed by accident:
// - A file target is written as `<target>.partial` and renamed over the target only after every
//   chunk was verified and written and the data was synced; the folder is synced after the rename.
//   An existing file is replaced only with `force`, and stays untouched until that final rename.
// - A file target is exclusive for the job's life: `<target>.lock` (targetLock.ts) is taken first,
//   then `.partial` is created with O_CREAT|O_EXCL|O_NOFOLLOW, so it is never a link followed nor
//   a file someone else holds open. A `.partial` left by an earlier restore is refused
//   (TARGET_PARTIAL_EXISTS) unless `force`, which unlinks it (the link itself, never what it
//   points to) and creates a fresh one.
// - Resuming (docs/resume.md) opens the existing `<target>.partial` as it is, under the same lock,
//   only when it is a regular file (never through a link) of the image's size; nothing is truncated.
// - A block device is written in place, only with `force`, only when it is at least the image
//   size, and opened with O_EXCL: Linux refuses that for a mounted or otherwise claimed device
//   (TARGET_BUSY). Zero chunks are written as zeros there (the device holds old data).
// - A sparse file leaves zero chunks as holes (ftruncate to the image size first).
// - The target never lies inside a datastore being read (TARGET_IN_DATASTORE): the check resolves
//   its folder (and the file when it is a link) to where it really is.
import { constants, lstat, open, readFile, realpath, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { RestoreError, toRestoreError } from '../../shared/errors.ts';
import { renameDurable } from './durable.ts';
import { TargetLock } from './targetLock.ts';

export interface TargetOptions {
  path: string;
  size: number;
  force?: boolean;
  /** Leave zero chunks as holes in a file target (default true). Devices always get zeros. */
  sparse?: boolean;
  /** Folders the target must not lie in (the datastore being read). */
  forbidden?: string[];
  /** Continue the existing `<target>.partial` (a device is written in place either way). */
  resume?: boolean;
  /**
   * Runs once the target is checked (and, for a file, locked) and before the partial file is
   * created, replaced or opened; may decide whether to resume (the resume state is put in order
   * there: docs/resume.md).
   */
  prepare?: (kind: 'file' | 'device') => Promise<'create' | 'resume' | void>;
}

export interface Target {
  readonly path: string;
  /** Where bytes land while the restore runs. */
  readonly writePath: string;
  readonly kind: 'file' | 'device';
  /** True when zero chunks must be written explicitly. */
  readonly writesZeros: boolean;
  write(buf: Uint8Array, offset: number): Promise<void>;
  /** Makes every write that completed before the call durable (fdatasync). */
  sync(): Promise<void>;
  /** Sync and move into place. */
  commit(): Promise<void>;
  /** Close after a failure or cancel; the partial data stays at writePath. */
  abandon(): Promise<void>;
}

/** Size of a Linux block device from sysfs (stat reports 0 for devices); undefined elsewhere. */
export async function blockDeviceSize(rdev: number): Promise<number | undefined> {
  const major = Number((BigInt(rdev) >> 8n) & 0xfffn) | Number((BigInt(rdev) >> 32n) & ~0xfffn);
  const minor = Number(BigInt(rdev) & 0xffn) | Number((BigInt(rdev) >> 12n) & ~0xffn);
  try {
    const sectors = Number((await readFile(`/sys/dev/block/${major}:${minor}/size`, 'utf8')).trim());
    return Number.isFinite(sectors) ? sectors * 512 : undefined;
  } catch {
    return undefined;
  }
}

/** Where a target path really is: its folder's real path, and the file's when it is a link. */
export async function resolveTargetPath(path: string): Promise<string> {
  const abs = resolve(path);
  let real = abs;
  try {
    real = join(await realpath(dirname(abs)), basename(abs));
  } catch {
    // the folder does not exist: the open fails later with TARGET_NOT_WRITABLE
  }
  const st = await lstat(real).catch(() => undefined);
  if (st?.isSymbolicLink()) real = await realpath(real).catch(() => real);
  return real;
}

/** True when `path` is `dir` or lies below it (both already resolved). */
export function isInside(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** Refuses a target inside any of the folders (TARGET_IN_DATASTORE). */
export async function checkTargetOutside(path: string, folders: readonly string[]): Promise<void> {
  if (folders.length === 0) return;
  const real = await resolveTargetPath(path);
  for (const f of folders) {
    const dir = await realpath(f).catch(() => resolve(f));
    if (isInside(real, dir)) {
      throw new RestoreError('TARGET_IN_DATASTORE', `${path} lies inside the datastore ${f}${real !== resolve(path) ? ` (it resolves to ${real})` : ''}: restoring there would destroy backups`);
    }
  }
}

class FileTarget implements Target {
  readonly kind: 'file' | 'device';
  readonly path: string;
  readonly writePath: string;
  readonly writesZeros: boolean;
  readonly #force: boolean;
  readonly #lock: TargetLock | undefined;
  #fh: FileHandle;
  #closed = false;

  constructor(kind: 'file' | 'device', path: string, writePath: string, fh: FileHandle, writesZeros: boolean, force: boolean, lock?: TargetLock) {
    this.kind = kind;
    this.path = path;
    this.writePath = writePath;
    this.#fh = fh;
    this.writesZeros = writesZeros;
    this.#force = force;
    this.#lock = lock;
  }

  async write(buf: Uint8Array, offset: number): Promise<void> {
    let done = 0;
    try {
      // A positional write may be short (e.g. near a full disk); loop until all bytes are down.
      while (done < buf.length) {
        const { bytesWritten } = await this.#fh.write(buf, done, buf.length - done, offset + done);
        if (bytesWritten === 0) throw Object.assign(new Error('write returned 0 bytes'), { code: 'ENOSPC' });
        done += bytesWritten;
      }
    } catch (e) {
      throw toRestoreError(e, `writing ${this.writePath} at offset ${offset + done}`);
    }
  }

  async sync(): Promise<void> {
    try {
      await this.#fh.datasync();
    } catch (e) {
      throw toRestoreError(e, `syncing ${this.writePath}`);
    }
  }

  async commit(): Promise<void> {
    try {
      await this.#fh.sync();
      await this.#close();
      if (this.writePath !== this.path) {
        // A file that appeared at the target while we ran is not replaced without force.
        if (!this.#force && (await lstat(this.path).then(() => true, () => false))) {
          throw new RestoreError('TARGET_EXISTS', `${this.path} appeared while the restore ran: pass --force to replace it (the data is in ${this.writePath})`);
        }
        await renameDurable(this.writePath, this.path);
      }
    } catch (e) {
      throw toRestoreError(e, `finishing ${this.path}`);
    } finally {
      await this.#lock?.release();
    }
  }

  async abandon(): Promise<void> {
    await this.#close().catch(() => {});
    await this.#lock?.release();
  }

  async #close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#fh.close();
  }
}

const PARTIAL_CREATE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);

/**
 * Creates `<target>.partial` for a job that holds the target's lock (a resume opens it instead:
 * openPartialToResume): a new file; an existing one (file, link, anything) is refused, or with
 * `force` unlinked first. The lock guarantees no live job owns an existing `.partial`, so
 * unlinking it is safe.
 */
async function openPartial(writePath: string, force: boolean): Promise<FileHandle> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      return await open(writePath, PARTIAL_CREATE, 0o644);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') throw new RestoreError('TARGET_NOT_WRITABLE', `cannot create ${writePath}: its folder does not exist`, { cause: e });
      if (code !== 'EEXIST') throw toRestoreError(e, `creating ${writePath}`);
      if (!force) {
        throw new RestoreError(
          'TARGET_PARTIAL_EXISTS',
          `${writePath} exists: an earlier restore to this target did not finish; continue it with --resume, or pass --force to start over (it is replaced)`,
        );
      }
      if (attempt > 0) throw new RestoreError('TARGET_BUSY', `${writePath} was created again while this restore replaced it`);
      const st = await lstat(writePath).catch(() => undefined);
      if (st?.isDirectory()) throw new RestoreError('TARGET_NOT_WRITABLE', `${writePath} is a folder`);
      // unlink removes a link itself, never the file it points to.
      await unlink(writePath).catch((u: NodeJS.ErrnoException) => {
        if (u.code !== 'ENOENT') throw toRestoreError(u, `removing the old ${writePath}`);
      });
    }
  }
  throw new RestoreError('INTERNAL', `cannot create ${writePath}`);
}

async function openDevice(path: string, size: number, rdev: number, prepare: TargetOptions['prepare']): Promise<Target> {
  const devSize = await blockDeviceSize(rdev);
  if (devSize === undefined) throw new RestoreError('TARGET_NOT_WRITABLE', `cannot determine the size of block device ${path}`);
  if (devSize < size) throw new RestoreError('TARGET_TOO_SMALL', `block device ${path} has ${devSize} bytes, the image needs ${size}`);
  await prepare?.('device');
  let fh: FileHandle;
  try {
    // O_EXCL without O_CREAT on a block device: Linux refuses it (EBUSY) while the device is
    // mounted, part of a RAID or LVM, or opened exclusively by another restore.
    fh = await open(path, constants.O_RDWR | constants.O_EXCL);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EBUSY') {
      throw new RestoreError('TARGET_BUSY', `block device ${path} is in use (mounted, or claimed by another program or restore): unmount it first`, { cause: e });
    }
    throw toRestoreError(e, `opening ${path}`);
  }
  return new FileTarget('device', path, path, fh, true, true);
}

export async function openTarget(opts: TargetOptions): Promise<Target> {
  const { size, force = false, sparse = true } = opts;
  if (/[\\/]$/.test(opts.path)) throw new RestoreError('TARGET_NOT_WRITABLE', `${opts.path} names a folder: give a file name (or a block device)`);
  const path = resolve(opts.path);
  await checkTargetOutside(path, opts.forbidden ?? []);
  const st = await stat(path).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return undefined;
    if (e.code === 'ENOTDIR') throw new RestoreError('TARGET_NOT_WRITABLE', `the folder of ${path} does not exist`, { cause: e });
    throw toRestoreError(e, `checking target ${path}`);
  });
  if (st?.isBlockDevice()) {
    if (!force) throw new RestoreError('TARGET_EXISTS', `${path} is a block device: pass --force to overwrite it`);
    return openDevice(path, size, st.rdev, opts.prepare);
  }
  if (st?.isDirectory()) throw new RestoreError('TARGET_NOT_WRITABLE', `${path} is a folder: give a file name (or a block device)`);
  if (st && !st.isFile()) throw new RestoreError('TARGET_NOT_WRITABLE', `${path} exists and is neither a regular file nor a block device`);
  if (st && !force) throw new RestoreError('TARGET_EXISTS', `${path} already exists: pass --force to replace it`);
  const parent = dirname(path);
  const pst = await stat(parent).catch(() => undefined);
  if (!pst?.isDirectory()) throw new RestoreError('TARGET_NOT_WRITABLE', `the folder ${parent} does not exist`);
  const writePath = `${path}.partial`;
  const lock = await TargetLock.acquire(path);
  let fh: FileHandle;
  try {
    const mode = (await opts.prepare?.('file')) ?? (opts.resume ? 'resume' : 'create');
    if (mode === 'resume') return new FileTarget('file', path, writePath, await openPartialToResume(writePath, size), !sparse, force, lock);
    fh = await openPartial(writePath, force);
  } catch (e) {
    await lock.release();
    throw e;
  }
  try {
    // Sets the final size at once: zero chunks stay holes, and a full disk shows up as ENOSPC on a
    // write rather than as a silently short file.
    await fh.truncate(size);
  } catch (e) {
    // The file is ours and empty: leave nothing behind.
    await fh.close().catch(() => {});
    await unlink(writePath).catch(() => {});
    await lock.release();
    throw toRestoreError(e, `sizing ${writePath} to ${size} bytes`);
  }
  return new FileTarget('file', path, writePath, fh, !sparse, force, lock);
}

/** The existing partial file of an earlier run: a regular file (never through a link) of the image's size. */
async function openPartialToResume(writePath: string, size: number): Promise<FileHandle> {
  let fh: FileHandle;
  try {
    fh = await open(writePath, constants.O_RDWR | (constants.O_NOFOLLOW ?? 0));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new RestoreError('RESUME_STATE_MISSING', `there is no ${writePath} to resume`);
    throw toRestoreError(e, `opening ${writePath} to resume`);
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new RestoreError('TARGET_NOT_WRITABLE', `${writePath} is not a regular file`);
    if (st.size !== size) throw new RestoreError('RESUME_MISMATCH', `${writePath} has ${st.size} bytes, the image ${size}: it is not a partial copy of this image`);
    return fh;
  } catch (e) {
    await fh.close().catch(() => {});
    throw e;
  }
}
