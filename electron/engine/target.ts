// Where a restore writes. Rules, so that a failed or cancelled restore never looks complete:
// - A file target is written as `<target>.partial` and renamed over the target only after every
//   chunk was verified and written and the data was synced. An existing file is replaced only with
//   `force`, and stays untouched until that final rename.
// - A block device is written in place, only with `force` and only when it is at least the image
//   size; zero chunks are written as zeros there (the device holds old data).
// - A sparse file leaves zero chunks as holes (ftruncate to the image size first).
// - Resuming (docs/resume.md) opens the existing `<target>.partial` as it is, only when it is a
//   regular file of the image's size; nothing is truncated.
import { constants, open, rename, stat, readFile, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { RestoreError, toRestoreError } from '../../shared/errors.ts';

export interface TargetOptions {
  path: string;
  size: number;
  force?: boolean;
  /** Leave zero chunks as holes in a file target (default true). Devices always get zeros. */
  sparse?: boolean;
  /** Continue the existing `<target>.partial` (a device is written in place either way). */
  resume?: boolean;
  /**
   * Runs once the target is checked and before the partial file is created, replaced or opened;
   * may decide whether to resume (the resume state is put in order there: docs/resume.md).
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

class FileTarget implements Target {
  readonly kind: 'file' | 'device';
  readonly path: string;
  readonly writePath: string;
  readonly writesZeros: boolean;
  #fh: FileHandle;
  #closed = false;

  constructor(kind: 'file' | 'device', path: string, writePath: string, fh: FileHandle, writesZeros: boolean) {
    this.kind = kind;
    this.path = path;
    this.writePath = writePath;
    this.#fh = fh;
    this.writesZeros = writesZeros;
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
      if (this.writePath !== this.path) await rename(this.writePath, this.path);
    } catch (e) {
      throw toRestoreError(e, `finishing ${this.path}`);
    }
  }

  async abandon(): Promise<void> {
    await this.#close().catch(() => {});
  }

  async #close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#fh.close();
  }
}

export async function openTarget(opts: TargetOptions): Promise<Target> {
  const { path, size, force = false, sparse = true } = opts;
  const st = await stat(path).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return undefined;
    throw toRestoreError(e, `checking target ${path}`);
  });
  if (st?.isBlockDevice()) {
    if (!force) throw new RestoreError('TARGET_EXISTS', `${path} is a block device: pass --force to overwrite it`);
    const devSize = await blockDeviceSize(st.rdev);
    if (devSize === undefined) throw new RestoreError('TARGET_NOT_WRITABLE', `cannot determine the size of block device ${path}`);
    if (devSize < size) throw new RestoreError('TARGET_TOO_SMALL', `block device ${path} has ${devSize} bytes, the image needs ${size}`);
    await opts.prepare?.('device');
    const fh = await open(path, 'r+').catch((e) => {
      throw toRestoreError(e, `opening ${path}`);
    });
    return new FileTarget('device', path, path, fh, true);
  }
  if (st && !st.isFile()) throw new RestoreError('TARGET_NOT_WRITABLE', `${path} exists and is neither a regular file nor a block device`);
  if (st && !force) throw new RestoreError('TARGET_EXISTS', `${path} already exists: pass --force to replace it`);
  const parent = dirname(path);
  const pst = await stat(parent).catch(() => undefined);
  if (!pst?.isDirectory()) throw new RestoreError('TARGET_NOT_WRITABLE', `the folder ${parent} does not exist`);
  const writePath = `${path}.partial`;
  const mode = (await opts.prepare?.('file')) ?? (opts.resume ? 'resume' : 'create');
  if (mode === 'resume') return new FileTarget('file', path, writePath, await openPartialToResume(writePath, size), !sparse);
  let fh: FileHandle;
  try {
    fh = await open(writePath, 'w');
  } catch (e) {
    throw toRestoreError(e, `creating ${writePath}`);
  }
  try {
    // Sets the final size at once: zero chunks stay holes, and a full disk shows up as ENOSPC on a
    // write rather than as a silently short file.
    await fh.truncate(size);
  } catch (e) {
    await fh.close().catch(() => {});
    throw toRestoreError(e, `sizing ${writePath} to ${size} bytes`);
  }
  return new FileTarget('file', path, writePath, fh, !sparse);
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
