// A JSON document kept in one file, written atomically: the new text goes to a temporary file in
// the same folder, is synced, and is renamed over the old one (then the folder is synced, see
// engine/durable.ts), so a crash leaves either the old or the new document, never half of one. Writes are serialised; a file that does not parse is set
// aside (renamed *.corrupt-<time>) and read as absent, so a damaged file cannot stop the app.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { renameDurable } from '../engine/durable.ts';
import { basename, dirname, join } from 'node:path';

export class JsonFile<T> {
  readonly path: string;
  #queue: Promise<void> = Promise.resolve();

  constructor(path: string) {
    this.path = path;
  }

  /** The stored value, or undefined when the file is absent or unreadable JSON. */
  async read(onCorrupt?: (message: string) => void): Promise<T | undefined> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    try {
      return JSON.parse(text) as T;
    } catch (e) {
      const aside = `${this.path}.corrupt-${Date.now()}`;
      await rename(this.path, aside).catch(() => {});
      onCorrupt?.(`${basename(this.path)} was not valid JSON (${(e as Error).message}); moved it to ${aside} and started fresh`);
      return undefined;
    }
  }

  /** Replaces the file's content; resolves once it is durable. Owner-only permissions (0600). */
  write(value: T): Promise<void> {
    const text = `${JSON.stringify(value, null, 2)}\n`;
    const run = this.#queue.then(() => this.#write(text));
    this.#queue = run.catch(() => {});
    return run;
  }

  /** Resolves when every write queued so far is done. */
  flush(): Promise<void> {
    return this.#queue;
  }

  async #write(text: string): Promise<void> {
    const dir = dirname(this.path);
    await mkdir(dir, { recursive: true });
    const tmp = join(dir, `.${basename(this.path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    try {
      const fh = await open(tmp, 'w', 0o600);
      try {
        await fh.writeFile(text);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await renameDurable(tmp, this.path);
    } catch (e) {
      await rm(tmp, { force: true }).catch(() => {});
      throw e;
    }
  }
}
