// Renames that survive a power cut, for restore targets and the service's JSON files.
// A rename is durable only once the folder that holds the new name is synced: after fsync of the
// file alone, a crash can bring back the old name (ext4 with data=ordered does this in practice,
// and POSIX promises nothing more). On Windows a rename can fail for a moment with EPERM, EBUSY
// or EACCES while an indexer or a virus scanner has the file open; it is retried for a short
// while there, and never elsewhere (where those codes mean what they say).
import { open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** The file system calls used, replaceable so tests can stand in for other platforms. */
export interface DurableOps {
  platform: NodeJS.Platform;
  rename(from: string, to: string): Promise<void>;
  /** fsync of a folder (open read-only, sync, close). */
  syncDir(dir: string): Promise<void>;
  sleep(ms: number): Promise<void>;
}

const WINDOWS_BUSY = new Set(['EPERM', 'EBUSY', 'EACCES']);
/** Waits between tries on Windows: about 2 s in all. */
const RETRY_MS = [20, 40, 80, 160, 250, 250, 250, 250, 250, 250];

async function syncDirectory(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } catch (e) {
    // Some file systems (and network mounts) cannot sync a folder; the rename itself stands.
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'ENOTSUP' && code !== 'EISDIR' && code !== 'EBADF') throw e;
  } finally {
    await fh.close();
  }
}

export const defaultDurableOps: DurableOps = {
  platform: process.platform,
  rename,
  syncDir: syncDirectory,
  sleep: (ms) => sleep(ms),
};

/** rename(from, to), then fsync of the folder of `to` (Windows: no folder sync, retried renames). */
export async function renameDurable(from: string, to: string, ops: DurableOps = defaultDurableOps): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await ops.rename(from, to);
      break;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? '';
      if (ops.platform !== 'win32' || !WINDOWS_BUSY.has(code) || attempt >= RETRY_MS.length) throw e;
      await ops.sleep(RETRY_MS[attempt]!);
    }
  }
  // Windows has no folder fsync (opening a folder fails); NTFS journals the rename itself.
  if (ops.platform !== 'win32') await ops.syncDir(dirname(to));
}
