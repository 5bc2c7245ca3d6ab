// The lock that makes a file target exclusive for a job's life (docs/decisions.md, "Target lock").
// Node has no flock, so the lock is a file, `<target>.lock`, created with O_CREAT|O_EXCL (atomic
// on local file systems and on NFSv3+), holding who owns it: {pid, host, started, nonce}. It is
// removed when the job ends, and by an exit hook when the process ends some other way (a second
// Ctrl-C). A lock left by a process that was killed (SIGKILL, power cut) is stale: it is taken
// over only when it names this host and a pid that no longer runs; any other lock, or one that
// cannot be read, means busy (conservative: a busy target costs a retry, a shared one costs data).
// Taking over is itself guarded by `<target>.lock.takeover` (O_EXCL too), so two processes that
// both found the same stale lock cannot both end up holding a fresh one.
import { randomBytes } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import { constants, open, readFile, unlink, type FileHandle } from 'node:fs/promises';
import { hostname } from 'node:os';
import { RestoreError, toRestoreError } from '../../shared/errors.ts';

interface Owner {
  pid: number;
  host: string;
  started: string;
  nonce: string;
}

const CREATE_EXCL = constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | (constants.O_NOFOLLOW ?? 0);

/** Locks this process holds, removed by the exit hook if the process ends before they are released. */
const held = new Set<string>();
let hooked = false;

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const path of held) {
      try {
        unlinkSync(path);
      } catch {
        // gone already
      }
    }
  });
}

/** Creates `path` exclusively with `text` in it; undefined when it exists. */
async function createExclusive(path: string, text: string): Promise<boolean> {
  let fh: FileHandle;
  try {
    fh = await open(path, CREATE_EXCL, 0o644);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try {
    await fh.writeFile(text);
  } finally {
    await fh.close();
  }
  return true;
}

function parseOwner(text: string): Owner | undefined {
  try {
    const o = JSON.parse(text) as Partial<Owner>;
    if (Number.isSafeInteger(o.pid) && typeof o.host === 'string' && typeof o.nonce === 'string') return o as Owner;
  } catch {
    // unreadable: treated as held
  }
  return undefined;
}

/** True only when the pid certainly runs no more (ESRCH); EPERM means it runs as another user. */
function isDead(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

const readText = (path: string): Promise<string | undefined> =>
  readFile(path, 'utf8').catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return undefined;
    throw e;
  });

export class TargetLock {
  readonly path: string;
  readonly #text: string;
  #released = false;

  private constructor(path: string, text: string) {
    this.path = path;
    this.#text = text;
  }

  /** Takes the lock of `target` or fails with TARGET_BUSY naming who holds it. */
  static async acquire(target: string): Promise<TargetLock> {
    const path = `${target}.lock`;
    const owner: Owner = { pid: process.pid, host: hostname(), started: new Date().toISOString(), nonce: randomBytes(8).toString('hex') };
    const text = `${JSON.stringify(owner)}\n`;
    try {
      // Two rounds: the second after a stale lock was taken over.
      for (let round = 0; round < 2; round++) {
        if (await createExclusive(path, text)) {
          hookExit();
          held.add(path);
          return new TargetLock(path, text);
        }
        const found = await readText(path);
        if (found === undefined) continue; // released meanwhile: try again
        const other = parseOwner(found);
        if (!other || other.host !== owner.host || !isDead(other.pid) || !(await takeOverStale(path, found, text))) {
          throw busy(target, path, other);
        }
      }
    } catch (e) {
      throw e instanceof RestoreError ? e : toRestoreError(e, `locking ${target}`);
    }
    throw busy(target, path, undefined);
  }

  /** Removes the lock if it is still this one (idempotent). */
  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    held.delete(this.path);
    if ((await readText(this.path).catch(() => undefined)) === this.#text) await unlink(this.path).catch(() => {});
  }
}

/** Removes a stale lock under the takeover guard; false when someone else is at it or it changed. */
async function takeOverStale(path: string, staleText: string, myText: string): Promise<boolean> {
  const guard = `${path}.takeover`;
  if (!(await createExclusive(guard, myText))) return false;
  try {
    const now = await readText(path);
    if (now !== undefined && now !== staleText) return false;
    if (now !== undefined) await unlink(path);
    return true;
  } finally {
    await unlink(guard).catch(() => {});
  }
}

function busy(target: string, lockPath: string, other: Owner | undefined): RestoreError {
  const who = other ? `process ${other.pid} on ${other.host}, since ${other.started}` : 'another process';
  return new RestoreError(
    'TARGET_BUSY',
    `${target} is being written by another restore (${who}); if none runs, delete the lock file ${lockPath}`,
  );
}
