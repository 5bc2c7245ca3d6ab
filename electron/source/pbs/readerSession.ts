// One PBS reader-protocol session (docs/pbs-formats.md): an HTTP/1.1 GET /api2/json/reader with
// `Upgrade: proxmox-backup-reader-protocol-v1` on a fresh TLS connection, a 101, then HTTP/2 with
// prior knowledge on the same socket, where we are the client. Upstream: pbs-client/src/
// http_client.rs (start_h2_connection: windows (1<<31)-2, max frame 4 MiB, TCP_NODELAY) and
// backup_reader.rs; server side src/api2/reader/mod.rs.
//
// Why node:http + node:http2 rather than undici: undici negotiates h2 only through ALPN, and PBS
// needs the upgrade first. node:http gives the non-101 answer's status and text (PBS puts its error
// message there), and http2.connect({ createConnection }) runs over the upgraded socket; Node feeds
// bytes that arrived with the 101 (unshifted back into the socket) to the session.
// node:http and node:http2 are loaded when a session opens (process.getBuiltinModule): a CLI start
// that reads a local datastore should not pay for them, and an ESM import of node:http also loads
// Node's internal undici (about a third of a `list` call's start-up, measured).
import type { IncomingMessage } from 'node:http';
import type { ClientHttp2Session, ClientHttp2Stream } from 'node:http2';
import type { Socket } from 'node:net';
import { RestoreError } from '../../../shared/errors.ts';
import { formatSnapshotRef, type SnapshotRef } from '../../pbs/names.ts';
import { queryString } from './apiClient.ts';
import { httpError, networkError, type RequestKind } from './httpErrors.ts';
import { RateFloor, tooSlow, type RateFloorOptions } from './rateFloor.ts';
import { hostPort } from './repository.ts';
import { connectTls, type TlsTarget } from './tlsPin.ts';

export const READER_PROTOCOL = 'proxmox-backup-reader-protocol-v1';
/** (1 << 31) - 2, the stream and connection windows of the official client. */
const WINDOW = 2 ** 31 - 2;
const MAX_FRAME = 4 * 1024 * 1024;
/** MB of buffered session data nghttp2 may hold; 64 streams × 4 MiB must fit (Node's default, 10, fails with ENHANCE_YOUR_CALM). */
const MAX_SESSION_MEMORY_MB = 512;
const MAX_ERROR_BODY = 64 * 1024;
/** RST_STREAM error code CANCEL (RFC 9113 §7), for a stream we give up on. */
const NGHTTP2_CANCEL = 0x8;

export interface ReaderTarget extends TlsTarget {
  store: string;
  /** Limit for the upgrade answer and the server's first HTTP/2 SETTINGS. */
  upgradeTimeoutMs: number;
}

/** The upgrade query with exactly the parameters of API_METHOD_UPGRADE_BACKUP (extra ones are rejected). */
export function readerPath(store: string, ref: SnapshotRef): string {
  return `/api2/json/reader${queryString({
    'backup-type': ref.type,
    'backup-id': ref.id,
    'backup-time': ref.time,
    store,
    debug: false,
    // Only sent for a namespace other than the root, as the official client does.
    ns: ref.ns || undefined,
  })}`;
}

function cancelled(what: string, signal?: AbortSignal): RestoreError {
  const reason = signal?.reason;
  return reason instanceof RestoreError ? reason : new RestoreError('CANCELLED', `${what}: cancelled`, { cause: reason });
}

function readText(res: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    let n = 0;
    res.on('data', (d: Buffer) => {
      if (n < MAX_ERROR_BODY) parts.push(d);
      n += d.length;
    });
    res.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    res.on('error', () => resolve(Buffer.concat(parts).toString('utf8')));
  });
}

/** Performs the upgrade; resolves with the raw socket positioned at the start of the HTTP/2 phase. */
function upgrade(target: ReaderTarget, ref: SnapshotRef, auth: Record<string, string>, socket: Socket, signal?: AbortSignal, redact?: (text: string) => string): Promise<Socket> {
  const where = hostPort(target.host, target.port);
  const what = `opening snapshot ${formatSnapshotRef(ref)}${ref.ns ? ` in namespace ${ref.ns}` : ''} on ${where}`;
  return new Promise<Socket>((resolve, reject) => {
    let settled = false;
    const finish = (err: RestoreError | undefined, s?: Socket): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (err) {
        req.destroy();
        socket.destroy();
        reject(err);
      } else resolve(s!);
    };
    const req = process.getBuiltinModule('node:http').request({
      createConnection: () => socket,
      method: 'GET',
      path: readerPath(target.store, ref),
      headers: {
        host: where,
        'user-agent': 'restore-console',
        'content-type': 'application/x-www-form-urlencoded',
        connection: 'upgrade',
        upgrade: READER_PROTOCOL,
        ...auth,
      },
    });
    const onAbort = (): void => finish(cancelled(what, signal));
    const timer = setTimeout(() => finish(new RestoreError('TIMEOUT', `${what}: no answer to the upgrade within ${target.upgradeTimeoutMs} ms`, { transient: true })), target.upgradeTimeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('upgrade', (res: IncomingMessage, upgraded: Socket, head: Buffer) => {
      if (String(res.headers.upgrade).toLowerCase() !== READER_PROTOCOL) {
        upgraded.destroy();
        return finish(new RestoreError('SERVER_ERROR', `${what}: the server switched to ${JSON.stringify(res.headers.upgrade)}, not ${READER_PROTOCOL}`));
      }
      if (head.length) upgraded.unshift(head);
      finish(undefined, upgraded);
    });
    req.on('response', (res: IncomingMessage) => {
      // Anything but 101 is a refusal with PBS's message as the body.
      readText(res).then((text) => finish(httpError(res.statusCode ?? 0, redact ? redact(text) : text, 'upgrade', what)));
    });
    req.on('error', (e) => finish(networkError(e, what, signal)));
    req.end();
  });
}

/** Connects, upgrades and starts HTTP/2; the session is ready for /download and /chunk. */
export async function openReaderSession(
  target: ReaderTarget,
  ref: SnapshotRef,
  auth: Record<string, string>,
  signal?: AbortSignal,
  redact?: (text: string) => string,
): Promise<ClientHttp2Session> {
  const socket = await connectTls(target, signal);
  const upgraded = await upgrade(target, ref, auth, socket, signal, redact);
  const where = hostPort(target.host, target.port);
  const session = process.getBuiltinModule('node:http2').connect(`https://${where}`, {
    createConnection: () => upgraded,
    settings: { initialWindowSize: WINDOW, maxFrameSize: MAX_FRAME, enablePush: false },
    maxSessionMemory: MAX_SESSION_MEMORY_MB,
  });
  // Ignore errors until a caller listens; the reader watches 'close' to know the session is gone.
  session.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    const done = (err?: RestoreError): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      session.off('remoteSettings', onSettings);
      session.off('close', onClose);
      if (err) {
        session.destroy();
        reject(err);
      } else resolve();
    };
    const onSettings = (): void => done();
    const onClose = (): void => done(new RestoreError('CONNECTION_FAILED', `${where}: the connection closed right after the reader upgrade`, { transient: true }));
    const onAbort = (): void => done(cancelled(`starting HTTP/2 with ${where}`, signal));
    const timer = setTimeout(() => done(new RestoreError('TIMEOUT', `${where}: no HTTP/2 SETTINGS within ${target.upgradeTimeoutMs} ms after the upgrade`, { transient: true })), target.upgradeTimeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    session.once('remoteSettings', onSettings);
    session.once('close', onClose);
  });
  // The connection window is not part of SETTINGS; raise it like the official client does.
  session.setLocalWindowSize(WINDOW);
  return session;
}

export interface GetOptions {
  kind: RequestKind;
  what: string;
  /** Longest gap without any data on the stream. */
  stallTimeoutMs: number;
  signal?: AbortSignal;
  /** Called when the stream stalled, so the caller can retire a session that may be dead. */
  onStall?: () => void;
  /** A 2xx body larger than this (declared or received) is refused at once with `tooLarge`. */
  maxBytes?: number;
  tooLarge?: (bytes: number, max: number) => RestoreError;
  /** The overall deadline: a minimum average rate after a grace period (rateFloor.ts). */
  rate?: RateFloorOptions;
  /** Told of every body byte received (the reader's counter). */
  onBytes?: (n: number) => void;
  /** Server text (error bodies) passes through this before it becomes part of a message. */
  redact?: (text: string) => string;
  /** Where a successful body of declared length goes (the engine's buffer pool). */
  alloc?: (size: number) => Buffer;
}

/** Buffer owning its whole ArrayBuffer, so a decoder may transfer it to a worker. */
function ownBuffer(parts: Buffer[], length: number): Buffer {
  if (parts.length === 1 && parts[0]!.byteOffset === 0 && parts[0]!.buffer.byteLength === length) return parts[0]!;
  const out = Buffer.allocUnsafeSlow(length);
  let off = 0;
  for (const p of parts) off += p.copy(out, off);
  return out;
}

/**
 * GET `path` on a reader session; the body on 2xx, a RestoreError otherwise. A 2xx body with a
 * content-length is copied into one buffer as it arrives (from `opts.alloc` when given), so a
 * chunk costs one copy into memory that is used again, not a list of frames and a concatenation.
 */
export function h2Get(session: ClientHttp2Session, path: string, opts: GetOptions): Promise<Buffer> {
  const { what, signal, maxBytes } = opts;
  const tooLarge = (n: number, max: number): RestoreError =>
    opts.tooLarge?.(n, max) ?? new RestoreError('SERVER_ERROR', `${what}: the answer is larger than ${max} bytes (${n} seen)`);
  return new Promise<Buffer>((resolve, reject) => {
    if (signal?.aborted) return reject(cancelled(what, signal));
    let stream: ClientHttp2Stream;
    try {
      stream = session.request({ ':method': 'GET', ':path': path, 'content-type': 'application/x-www-form-urlencoded' }, { endStream: true });
    } catch (e) {
      // ERR_HTTP2_INVALID_SESSION / ERR_HTTP2_GOAWAY_SESSION: the session is gone; a new one will do.
      return reject(networkError(e, what));
    }
    let status = 0;
    let expected = -1;
    let received = 0;
    const parts: Buffer[] = [];
    /** The whole body, when its length was declared on a 2xx answer. */
    let whole: Buffer | undefined;
    let settled = false;
    const floor = opts.rate
      ? new RateFloor(opts.rate, (ms, bytes) => finish(new RestoreError('TIMEOUT', tooSlow(what, opts.rate!, ms, bytes), { transient: true })))
      : undefined;
    const finish = (err: RestoreError | undefined, body?: Buffer): void => {
      if (settled) return;
      settled = true;
      floor?.stop();
      signal?.removeEventListener('abort', onAbort);
      stream.setTimeout(0);
      if (err) {
        if (!stream.closed) stream.close(NGHTTP2_CANCEL);
        reject(err);
      } else resolve(body!);
    };
    const onAbort = (): void => finish(cancelled(what, signal));
    signal?.addEventListener('abort', onAbort, { once: true });
    stream.setTimeout(opts.stallTimeoutMs, () => {
      finish(new RestoreError('TIMEOUT', `${what}: no data for ${opts.stallTimeoutMs} ms`, { transient: true }));
      opts.onStall?.();
    });
    const ok = (): boolean => status >= 200 && status < 300;
    stream.on('response', (headers) => {
      status = Number(headers[':status']);
      const cl = headers['content-length'];
      if (cl !== undefined) expected = Number(cl);
      // Refused on the declared length, before a byte of the body.
      if (ok() && maxBytes !== undefined && expected > maxBytes) return finish(tooLarge(expected, maxBytes));
      if (ok() && Number.isSafeInteger(expected) && expected >= received) {
        whole = opts.alloc ? opts.alloc(expected) : Buffer.allocUnsafeSlow(expected);
        // Node emits 'response' on the next tick: data read in the same burst came first.
        let at = 0;
        for (const p of parts.splice(0)) at += p.copy(whole, at);
      }
    });
    stream.on('data', (d: Buffer) => {
      received += d.length;
      floor?.add(d.length);
      opts.onBytes?.(d.length);
      if (settled) return;
      if (status !== 0 && !ok()) {
        // An error's text is for a message: its start is enough.
        if (received - d.length < MAX_ERROR_BODY) parts.push(d);
        return;
      }
      // A success, or not known yet (data read before 'response'): bounded, and kept whole.
      if (maxBytes !== undefined && received > maxBytes) return finish(tooLarge(received, maxBytes));
      if (!whole) return void parts.push(d);
      if (received > whole.length) {
        return finish(new RestoreError('CONNECTION_FAILED', `${what}: the answer is longer than the ${expected} bytes it announced`, { transient: true }));
      }
      whole.set(d, received - d.length);
    });
    stream.on('end', () => {
      // No status: the stream ended without an answer (the connection went away under it).
      if (status === 0) return finish(new RestoreError('CONNECTION_FAILED', `${what}: the connection closed before an answer arrived`, { transient: true }));
      if (!ok()) {
        const text = Buffer.concat(parts).subarray(0, MAX_ERROR_BODY).toString('utf8');
        return finish(httpError(status, opts.redact ? opts.redact(text) : text, opts.kind, what));
      }
      const body = whole ?? ownBuffer(parts, received);
      if (expected >= 0 && received !== expected) {
        return finish(new RestoreError('CONNECTION_FAILED', `${what}: the answer ended after ${received} of ${expected} bytes`, { transient: true }));
      }
      finish(undefined, body);
    });
    stream.on('error', (e) => finish(networkError(e, what, signal)));
    stream.on('close', () => {
      // After 'end' this is a no-op; before it, the stream was reset or the connection dropped.
      finish(new RestoreError('CONNECTION_FAILED', `${what}: the stream closed before the answer was complete (HTTP/2 code ${stream.rstCode})`, { transient: true }));
    });
  });
}
