// Archives opened for browsing (files.open … files.close). Opening costs the manifest, the index
// and, on a PBS server, a reader session, so an open archive is kept for the listings that follow
// and for the files jobs started from it; it is closed by files.close, after IDLE_MS without use
// (a page that went away), or when more than MAX_OPEN are open (the least recently used idle one).
// A session a job still reads from is closed when that job ends.
import { randomBytes } from 'node:crypto';
import type { FilesBrowse, FilesOpenArgs } from '../../shared/contract.ts';
import { RestoreError } from '../../shared/errors.ts';
import type { FileEntry } from '../../shared/files.ts';
import type { FileTreeOpener, OpenedFiles } from '../files/openFiles.ts';
import { normalizeTreePath } from '../files/treePaths.ts';
import { toRef } from './catalog.ts';
import { loadKey } from './keys.ts';
import type { OpenedSource } from './openSource.ts';

const IDLE_MS = 10 * 60 * 1000;
const MAX_OPEN = 8;

export interface BrowseSession {
  readonly id: string;
  readonly args: FilesOpenArgs;
  readonly opened: OpenedFiles;
  lastUsed: number;
  /** Files jobs reading from it. */
  users: number;
  closing: boolean;
}

export interface BrowseContext {
  openSource(sourceId: string): Promise<OpenedSource>;
  openTree: FileTreeOpener;
  log(level: 'info' | 'warn', message: string, sourceId: string): void;
  /** Default 10 minutes. */
  idleMs?: number;
}

export class BrowseSessions {
  readonly #ctx: BrowseContext;
  readonly #sessions = new Map<string, BrowseSession>();
  readonly #timer: NodeJS.Timeout;

  constructor(ctx: BrowseContext) {
    this.#ctx = ctx;
    const idle = ctx.idleMs ?? IDLE_MS;
    this.#timer = setInterval(() => this.#closeIdle(idle), Math.min(idle, 60_000));
    this.#timer.unref();
  }

  async open(args: FilesOpenArgs, signal?: AbortSignal): Promise<FilesBrowse> {
    const { source } = await this.#ctx.openSource(args.sourceId);
    const crypt = args.key ? await loadKey(args.key.keyfile, args.key.password) : undefined;
    const opened = await this.#ctx.openTree(source, toRef(args.snapshot), args.archive, crypt, signal);
    let root: FileEntry;
    try {
      root = await opened.tree.stat('/', signal);
    } catch (e) {
      await opened.close().catch(() => {});
      throw e;
    }
    const id = `browse-${randomBytes(9).toString('base64url')}`;
    const { key: _key, ...kept } = args; // the key file and its password are not kept
    this.#sessions.set(id, { id, args: kept, opened, lastUsed: Date.now(), users: 0, closing: false });
    this.#ctx.log('info', `opened ${args.archive} for browsing (${opened.archives.join(' + ')})`, args.sourceId);
    await this.#trim();
    for (const w of opened.warnings ?? []) this.#ctx.log('warn', `${args.archive}: ${w}`, args.sourceId);
    return { id, archive: args.archive, archives: opened.archives, root, ...(opened.warnings?.length ? { warnings: opened.warnings } : {}) };
  }

  /** The session, marked as used now; BAD_ARGUMENTS-like INVALID_STATE when it is gone. */
  get(id: string): BrowseSession {
    const s = this.#sessions.get(id);
    if (!s || s.closing) throw new RestoreError('INVALID_STATE', 'this archive is no longer open: open it again');
    s.lastUsed = Date.now();
    return s;
  }

  async list(id: string, path: string, signal?: AbortSignal): Promise<FileEntry[]> {
    const s = this.get(id);
    s.users++;
    try {
      return await s.opened.tree.list(normalizeTreePath(path), signal);
    } finally {
      this.release(s);
    }
  }

  /** A job starts reading from the session. */
  retain(id: string): BrowseSession {
    const s = this.get(id);
    s.users++;
    return s;
  }

  release(s: BrowseSession): void {
    s.users--;
    s.lastUsed = Date.now();
    if (s.closing && s.users === 0) void this.#finish(s);
  }

  async close(id: string): Promise<void> {
    const s = this.#sessions.get(id);
    if (!s || s.closing) return;
    s.closing = true;
    if (s.users === 0) await this.#finish(s);
  }

  /** True when a files job reads from an archive of this source. */
  usesSource(sourceId: string): boolean {
    return [...this.#sessions.values()].some((s) => s.args.sourceId === sourceId && s.users > 0);
  }

  /** Closes the idle archives of a source (it is being removed). */
  async closeSource(sourceId: string): Promise<void> {
    await Promise.all([...this.#sessions.values()].filter((s) => s.args.sourceId === sourceId).map((s) => this.close(s.id)));
  }

  async closeAll(): Promise<void> {
    clearInterval(this.#timer);
    await Promise.all([...this.#sessions.values()].map((s) => this.#finish(s)));
  }

  get size(): number {
    return this.#sessions.size;
  }

  async #finish(s: BrowseSession): Promise<void> {
    if (!this.#sessions.delete(s.id)) return;
    s.closing = true;
    await s.opened.close().catch(() => {});
  }

  #closeIdle(idleMs: number): void {
    const now = Date.now();
    for (const s of this.#sessions.values()) if (s.users === 0 && now - s.lastUsed >= idleMs) void this.#finish(s);
  }

  async #trim(): Promise<void> {
    const idle = [...this.#sessions.values()].filter((s) => s.users === 0 && !s.closing).sort((a, b) => a.lastUsed - b.lastUsed);
    while (this.#sessions.size > MAX_OPEN && idle.length) await this.#finish(idle.shift()!);
  }
}
