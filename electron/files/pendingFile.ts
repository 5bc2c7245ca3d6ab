// A file (or symlink) written under a temporary name in its final folder and moved into place only
// once complete, so that a failed read never leaves a truncated file under the real name and never
// costs the file that was there. Nothing here follows a symlink that is already in the target:
// the temporary name is new (O_CREAT | O_EXCL | O_NOFOLLOW), and both ways into place act on the
// final name itself:
// - without force, link(2) + unlink: fails with EEXIST if anything has that name, atomically;
//   on filesystems without hard links (FAT, some network shares) a check and rename(2) instead;
// - with force, rename(2): replaces a file or a symlink (not what it points to); never a folder.
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { link, lstat, lutimes, open, rename, symlink, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { RestoreError, toRestoreError } from '../../shared/errors.ts';

const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EMLINK']);

const tempName = (dir: string): string => join(dir, `.restore-console-${randomBytes(6).toString('hex')}.tmp`);

export interface PlaceOptions {
  force?: boolean;
  /** Permission bits (file only; a symlink has none). */
  mode?: number;
  /** Unix seconds. */
  mtime?: number;
  /** fsync before the move (one download or zip: yes; each file of an extraction: no, as tar). */
  sync?: boolean;
}

export class PendingFile {
  readonly tempPath: string;
  readonly fh: FileHandle | undefined;
  #done = false;
  #size = 0;

  private constructor(tempPath: string, fh: FileHandle | undefined) {
    this.tempPath = tempPath;
    this.fh = fh;
  }

  /** An empty regular file to write to, in `dir`. */
  static async file(dir: string): Promise<PendingFile> {
    const temp = tempName(dir);
    try {
      const fh = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), 0o600);
      return new PendingFile(temp, fh);
    } catch (e) {
      throw toRestoreError(e, `creating a file in ${dir}`);
    }
  }

  /** A symlink to `target`, in `dir`. */
  static async symlink(dir: string, target: string): Promise<PendingFile> {
    const temp = tempName(dir);
    try {
      await symlink(target, temp);
    } catch (e) {
      throw toRestoreError(e, `creating a symlink in ${dir}`);
    }
    return new PendingFile(temp, undefined);
  }

  /** Writes everything at the current end; returns the bytes written. */
  async writeAll(content: AsyncIterable<Uint8Array>, signal?: AbortSignal): Promise<number> {
    let total = 0;
    for await (const piece of content) {
      signal?.throwIfAborted();
      await this.#append(piece);
      total += piece.length;
    }
    return total;
  }

  /**
   * The file as a Writable (for the zip writer). Its own, not fh.createWriteStream: a stream made
   * that way holds the handle until it is destroyed, and closing the handle waits for it.
   */
  writable(highWaterMark: number): Writable {
    return new Writable({
      highWaterMark,
      write: (chunk: Buffer, _enc, cb) => void this.#append(chunk).then(() => cb(), cb),
    });
  }

  async #append(piece: Uint8Array): Promise<void> {
    const fh = this.fh!;
    let done = 0;
    while (done < piece.length) {
      const { bytesWritten } = await fh.write(piece, done, piece.length - done, this.#size + done).catch((e: unknown) => {
        throw toRestoreError(e, `writing ${this.tempPath}`);
      });
      if (bytesWritten === 0) throw new RestoreError('ENOSPC', `writing ${this.tempPath}: no space left`);
      done += bytesWritten;
    }
    this.#size += piece.length;
  }

  /** Sets mode and time, closes, and moves to `finalPath`. TARGET_EXISTS when something is there (without force) or a folder is. */
  async place(finalPath: string, opts: PlaceOptions = {}): Promise<void> {
    try {
      if (this.fh) {
        if (opts.mode !== undefined) await this.fh.chmod(opts.mode & 0o777);
        if (opts.mtime) await this.fh.utimes(opts.mtime, opts.mtime);
        if (opts.sync) await this.fh.sync();
        await this.fh.close();
      } else if (opts.mtime) {
        await lutimes(this.tempPath, opts.mtime, opts.mtime).catch(() => {}); // not everywhere
      }
      await this.#move(finalPath, opts.force === true);
      this.#done = true;
    } catch (e) {
      await this.discard();
      throw e instanceof RestoreError ? e : toRestoreError(e, `writing ${finalPath}`);
    }
  }

  /** Removes the temporary file (after a failure or cancel). */
  async discard(): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    await this.fh?.close().catch(() => {});
    await unlink(this.tempPath).catch(() => {});
  }

  async #move(finalPath: string, force: boolean): Promise<void> {
    const exists = (): RestoreError => new RestoreError('TARGET_EXISTS', `${finalPath} already exists`);
    if (force) {
      try {
        await rename(this.tempPath, finalPath);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EISDIR' || code === 'ENOTDIR' || code === 'ENOTEMPTY' || code === 'EEXIST') {
          throw new RestoreError('TARGET_EXISTS', `${finalPath} is a folder: not replaced`);
        }
        throw e;
      }
      return;
    }
    try {
      await link(this.tempPath, finalPath);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? '';
      if (code === 'EEXIST') throw exists();
      if (!NO_HARD_LINKS.has(code)) throw e;
      if (await lstat(finalPath).then(() => true, () => false)) throw exists();
      await rename(this.tempPath, finalPath);
      return;
    }
    await unlink(this.tempPath);
  }
}
