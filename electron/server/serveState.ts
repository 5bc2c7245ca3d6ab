// Browser mode's address, kept across restarts so a bookmark and an open tab keep working: the
// token and the last port, in `<data>/browser-mode.json` (owner-only, 0600, like the other files
// of the data folder: whoever can read it can use the service). `--new-token` makes a new token,
// and every address printed before stops working. The port is a wish: when another program holds
// it, serve listens on a free one and says so (listenPreferring).
import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { JsonFile } from '../service/jsonFile.ts';
import { newToken } from './guard.ts';

interface StoredState {
  version: 1;
  token: string;
  port?: number;
}

export interface ServeState {
  token: string;
  /** The port of the last start, if any. */
  lastPort?: number;
  /** Why the token is new: 'first' start, asked ('rotated'), or the file was unreadable ('unreadable'). */
  made?: 'first' | 'rotated' | 'unreadable';
}

/** What newToken makes (32 random bytes, base64url); anything else in the file is not used. */
const TOKEN_FORM = /^[A-Za-z0-9_-]{43}$/;

export function serveStateFile(dataDir: string): string {
  return join(dataDir, 'browser-mode.json');
}

/** Reads the kept token and port (a new token when there is none, or `rotate`), and saves the token. */
export async function loadServeState(dataDir: string, opts: { rotate?: boolean } = {}): Promise<ServeState> {
  const file = new JsonFile<StoredState>(serveStateFile(dataDir));
  let unreadable = false;
  const stored = await file.read(() => (unreadable = true));
  const port = typeof stored?.port === 'number' && Number.isInteger(stored.port) && stored.port > 0 && stored.port < 65536 ? stored.port : undefined;
  const kept = typeof stored?.token === 'string' && TOKEN_FORM.test(stored.token) ? stored.token : undefined;
  if (kept && !opts.rotate) {
    // An older copy may have been made readable by others (a backup restored, a chmod): owner-only again.
    await chmod(file.path, 0o600).catch(() => {});
    return { token: kept, ...(port ? { lastPort: port } : {}) };
  }
  const token = newToken();
  await file.write({ version: 1, token, ...(port ? { port } : {}) });
  return { token, ...(port ? { lastPort: port } : {}), made: opts.rotate ? 'rotated' : stored === undefined && !unreadable ? 'first' : 'unreadable' };
}

/** Remembers the port this start listens on, for the next one. */
export async function saveServePort(dataDir: string, token: string, port: number): Promise<void> {
  await new JsonFile<StoredState>(serveStateFile(dataDir)).write({ version: 1, token, port });
}

/**
 * Listens on `preferred` when it is free; when another program holds it (EADDRINUSE), on a free
 * port instead. `listen(port)` starts the server (0: a free port); the result says which port it
 * got and whether that is the one preferred.
 */
export async function listenPreferring<T extends { port: number }>(preferred: number | undefined, listen: (port: number) => Promise<T>): Promise<{ server: T; moved: boolean }> {
  if (preferred === undefined) return { server: await listen(0), moved: false };
  try {
    return { server: await listen(preferred), moved: false };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EADDRINUSE' && code !== 'EACCES') throw e;
    return { server: await listen(0), moved: true };
  }
}
