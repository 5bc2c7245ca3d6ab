// A snapshot read over the PBS reader protocol, with connection loss handled here.
//
// The server lets a session download only chunks of indexes downloaded in that same session
// (src/api2/reader/environment.rs: register_chunk / check_chunk_access; 401 otherwise). So when a
// session dies (reset, GOAWAY, a stalled stream), the next request opens a new one, and before any
// chunk is asked for on it, every index this reader downloaded earlier is downloaded again (and must
// be byte-identical: a snapshot never changes). Each session keeps the set of indexes it has seen,
// so an index that arrives late on an old session is registered on the new one before a chunk.
// Requests in flight on the dead session fail with transient errors; the engine retries them with
// backoff and they land on the new session. File downloads (manifest, index) are retried here,
// since the engine does not retry them.
import { createHash } from 'node:crypto';
import type { ClientHttp2Session } from 'node:http2';
import { raceAbort } from '../../../shared/abort.ts';
import { RestoreError } from '../../../shared/errors.ts';
import { toHex } from '../../pbs/hex.ts';
import { tooLarge } from '../../../shared/limits.ts';
import { checkArchiveName, formatSnapshotRef, type SnapshotRef } from '../../pbs/names.ts';
import type { ChunkAlloc, SnapshotReader } from '../chunkSource.ts';
import { withRetry } from '../retry.ts';
import { hostPort } from './repository.ts';
import type { RateFloorOptions } from './rateFloor.ts';
import { h2Get, openReaderSession, type GetOptions, type ReaderTarget } from './readerSession.ts';

export interface RemoteReaderOptions {
  target: ReaderTarget;
  /** Fresh authentication headers for each (re)connection; tickets may have been renewed. */
  authHeaders: () => Promise<Record<string, string>>;
  stallTimeoutMs: number;
  /** The overall deadline of every download (rateFloor.ts). */
  rate?: RateFloorOptions;
  /** Credentials out of server text before it becomes a message. */
  redact?: (text: string) => string;
  /** Attempts for a file download that fails transiently (the engine retries chunks itself). */
  fileAttempts?: number;
  onClose?: () => void;
}

interface Conn {
  session: ClientHttp2Session;
  dead: boolean;
  /** Indexes downloaded on this session, whose chunks the server will hand out on it. */
  registered: Set<string>;
  registering?: Promise<void>;
}

/** Sessions opened in a row for one request before giving up (a server that drops at once). */
const MAX_OPENS_PER_REQUEST = 3;

/** Waits between file download attempts: short, because a restore waits for the index to start. */
const FILE_BACKOFF = { baseMs: 200, maxMs: 1600 };

const isIndex = (name: string): boolean => name.endsWith('.fidx') || name.endsWith('.didx');

export class RemoteSnapshotReader implements SnapshotReader {
  readonly ref: SnapshotRef;
  readonly #opts: RemoteReaderOptions;
  readonly #where: string;
  /** Indexes downloaded so far (name → SHA-256 and the size bound), to register again on a new session. */
  readonly #indexes = new Map<string, { sha: string; maxBytes: number | undefined }>();
  #received = 0;
  #conn?: Conn;
  #opening?: Promise<Conn>;
  #closed = false;
  /** Stops a session being opened when the reader is closed; callers' signals only stop their wait. */
  readonly #life = new AbortController();
  #sessions = 0;

  private constructor(ref: SnapshotRef, opts: RemoteReaderOptions) {
    this.ref = ref;
    this.#opts = opts;
    this.#where = hostPort(opts.target.host, opts.target.port);
  }

  /** Body bytes received on every session of this reader (what a refusal cost). */
  get bytesReceived(): number {
    return this.#received;
  }

  /** Sessions opened by this reader: 1 + reconnects. */
  get sessions(): number {
    return this.#sessions;
  }

  /** Opens the first session at once, so a missing snapshot or a refusal shows up here. */
  static async open(ref: SnapshotRef, opts: RemoteReaderOptions, signal?: AbortSignal): Promise<RemoteSnapshotReader> {
    const reader = new RemoteSnapshotReader(ref, opts);
    try {
      await reader.#session(signal);
    } catch (e) {
      await reader.close();
      throw e;
    }
    return reader;
  }

  async #session(signal?: AbortSignal): Promise<Conn> {
    for (let opens = 0; ; opens++) {
      if (this.#closed) throw new RestoreError('CANCELLED', `reader of ${formatSnapshotRef(this.ref)} is closed`);
      const c = this.#conn;
      if (c && !c.dead && !c.session.closed && !c.session.destroyed) return c;
      if (c) this.#retire(c);
      if (opens >= MAX_OPENS_PER_REQUEST) {
        throw new RestoreError('CONNECTION_FAILED', this.#what(`the server closed ${opens} new sessions right after opening them`), { transient: true });
      }
      this.#opening ??= this.#open().finally(() => (this.#opening = undefined));
      // Another caller's abort must not fail us, and ours must not fail the shared open.
      await raceAbort(this.#opening, signal);
    }
  }

  /** Downloads on `conn` every index this reader has but the session has not seen. */
  async #register(conn: Conn, signal?: AbortSignal): Promise<void> {
    for (;;) {
      const missing = [...this.#indexes.keys()].filter((n) => !conn.registered.has(n));
      if (missing.length === 0) return;
      conn.registering ??= (async () => {
        for (const name of missing) {
          const known = this.#indexes.get(name)!;
          const bytes = await h2Get(conn.session, downloadPath(name), {
            ...this.#getOptions('download', this.#what(`downloading ${name} again on a new session`), name, known.maxBytes),
            signal: this.#life.signal,
            onStall: () => this.#retire(conn),
          });
          if (sha256(bytes) !== known.sha) {
            throw new RestoreError('INDEX_INCONSISTENT', this.#what(`${name} changed on the server between two downloads`));
          }
          conn.registered.add(name);
        }
      })().finally(() => (conn.registering = undefined));
      await raceAbort(conn.registering, signal);
    }
  }

  async #open(): Promise<Conn> {
    const signal = this.#life.signal;
    const session = await openReaderSession(this.#opts.target, this.ref, await this.#opts.authHeaders(), signal, this.#opts.redact);
    this.#sessions++;
    const conn: Conn = { session, dead: false, registered: new Set() };
    const die = (): void => {
      conn.dead = true;
    };
    session.on('close', die);
    session.on('goaway', die);
    session.on('error', die);
    try {
      // Register the chunks again before anyone may ask for one on this session.
      await this.#register(conn);
    } catch (e) {
      session.destroy();
      throw e;
    }
    if (this.#closed) {
      session.destroy();
      throw new RestoreError('CANCELLED', `reader of ${formatSnapshotRef(this.ref)} is closed`);
    }
    this.#conn = conn;
    return conn;
  }

  /** No new requests go to this session; the ones running on it may finish. */
  #retire(c: Conn): void {
    c.dead = true;
    if (this.#conn === c) this.#conn = undefined;
    if (!c.session.closed && !c.session.destroyed) c.session.close();
  }

  #what(action: string): string {
    return `${action} (snapshot ${formatSnapshotRef(this.ref)}${this.ref.ns ? ` in namespace ${this.ref.ns}` : ''} on ${this.#where})`;
  }

  /** What every GET of this reader shares: timeouts, the rate floor, the size bound, counting, redaction. */
  #getOptions(kind: 'download' | 'chunk', what: string, name: string, maxBytes: number | undefined): Omit<GetOptions, 'signal' | 'onStall'> {
    const fileKind = kind === 'chunk' ? 'chunk' : isIndex(name) ? 'index' : 'blob';
    return {
      kind,
      what,
      stallTimeoutMs: this.#opts.stallTimeoutMs,
      ...(this.#opts.rate ? { rate: this.#opts.rate } : {}),
      ...(maxBytes !== undefined ? { maxBytes, tooLarge: (n: number, max: number) => tooLarge(`${what}: the answer`, n, max, fileKind) } : {}),
      onBytes: (n) => (this.#received += n),
      ...(this.#opts.redact ? { redact: this.#opts.redact } : {}),
    };
  }

  async #get(path: string, opts: Omit<GetOptions, 'signal' | 'onStall'>, signal?: AbortSignal, onDone?: (conn: Conn, body: Buffer) => void): Promise<Buffer> {
    const conn = await this.#session(signal);
    // An index fetched on an older session after this one opened is not registered here yet.
    if (opts.kind === 'chunk' && conn.registered.size < this.#indexes.size) await this.#register(conn, signal);
    const body = await h2Get(conn.session, path, {
      ...opts,
      ...(signal ? { signal } : {}),
      onStall: () => this.#retire(conn),
    });
    onDone?.(conn, body);
    return body;
  }

  async readFile(name: string, signal?: AbortSignal, maxBytes?: number): Promise<Buffer> {
    checkArchiveName(name);
    const retries = (this.#opts.fileAttempts ?? 4) - 1;
    const opts = this.#getOptions('download', this.#what(`downloading ${name}`), name, maxBytes);
    const get = (): Promise<Buffer> =>
      this.#get(downloadPath(name), opts, signal, (conn, bytes) => {
        // Downloading an index registered its chunks in this session; remember it for later ones.
        if (!isIndex(name)) return;
        this.#indexes.set(name, { sha: sha256(bytes), maxBytes });
        conn.registered.add(name);
      });
    return withRetry(get, signal, { retries, ...FILE_BACKOFF });
  }

  async readChunk(digest: Uint8Array, signal?: AbortSignal, maxBytes?: number, alloc?: ChunkAlloc): Promise<Buffer> {
    const hex = toHex(digest);
    const opts = this.#getOptions('chunk', this.#what(`downloading chunk ${hex}`), hex, maxBytes);
    return this.#get(`/chunk?digest=${hex}`, alloc ? { ...opts, alloc } : opts, signal);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#life.abort(new RestoreError('CANCELLED', `reader of ${formatSnapshotRef(this.ref)} is closed`));
    this.#opts.onClose?.();
    const opening = this.#opening;
    const c = this.#conn;
    this.#conn = undefined;
    if (c) await closeSession(c.session);
    // A session still being opened is destroyed by #open when it sees #closed.
    await opening?.catch(() => {});
  }
}

function downloadPath(name: string): string {
  return `/download?file-name=${encodeURIComponent(name)}`;
}

function sha256(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

/** GOAWAY and wait for the socket to go; destroy if that takes too long. */
function closeSession(session: ClientHttp2Session): Promise<void> {
  if (session.destroyed) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => session.destroy(), 2000);
    timer.unref();
    session.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    if (session.closed) return;
    session.close();
  });
}
