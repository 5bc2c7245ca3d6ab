// The central directory of a zip being written. It is only written at the end, so its records are
// kept until then: in memory up to SPILL_BYTES (~200 000 entries of average names), then appended
// to a temporary file, so that a zip of millions of entries stays within bounded memory too.
import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toRestoreError } from '../../shared/errors.ts';

const SPILL_BYTES = 16 * 1024 * 1024;
const READ_BYTES = 1024 * 1024;

export class CentralDirectory {
  readonly #spillBytes: number;
  #records: Buffer[] = [];
  #memBytes = 0;
  #file: { dir: string; fh: FileHandle; bytes: number } | undefined;
  count = 0;
  size = 0;

  constructor(spillBytes = SPILL_BYTES) {
    this.#spillBytes = spillBytes;
  }

  async add(record: Buffer): Promise<void> {
    this.#records.push(record);
    this.#memBytes += record.length;
    this.count++;
    this.size += record.length;
    if (this.#memBytes >= this.#spillBytes) await this.#spill();
  }

  /** Every record in order, in pieces of bounded size. */
  async *pieces(): AsyncGenerator<Buffer> {
    if (this.#file) {
      const { fh, bytes } = this.#file;
      for (let pos = 0; pos < bytes; pos += READ_BYTES) {
        const buf = Buffer.allocUnsafe(Math.min(READ_BYTES, bytes - pos));
        const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
        if (bytesRead !== buf.length) throw toRestoreError(new Error('short read'), `reading back the zip's central directory`);
        yield buf;
      }
    }
    if (this.#records.length) yield Buffer.concat(this.#records, this.#memBytes);
  }

  /** Removes the temporary file, if there is one. */
  async dispose(): Promise<void> {
    const f = this.#file;
    this.#file = undefined;
    this.#records = [];
    if (!f) return;
    await f.fh.close().catch(() => {});
    await rm(f.dir, { recursive: true, force: true });
  }

  /** True when records went to the temporary file (for tests). */
  get spilled(): boolean {
    return this.#file !== undefined;
  }

  async #spill(): Promise<void> {
    try {
      if (!this.#file) {
        const dir = await mkdtemp(join(tmpdir(), 'restore-console-zip-'));
        const fh = await open(join(dir, 'central-directory'), 'w+', 0o600).catch(async (e: unknown) => {
          await rm(dir, { recursive: true, force: true });
          throw e;
        });
        this.#file = { dir, fh, bytes: 0 };
      }
      const data = Buffer.concat(this.#records, this.#memBytes);
      this.#records = [];
      this.#memBytes = 0;
      let done = 0;
      while (done < data.length) {
        const { bytesWritten } = await this.#file.fh.write(data, done, data.length - done, this.#file.bytes + done);
        done += bytesWritten;
      }
      this.#file.bytes += data.length;
    } catch (e) {
      throw toRestoreError(e, `keeping the zip's central directory in ${tmpdir()}`);
    }
  }
}
