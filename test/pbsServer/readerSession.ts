// The HTTP/2 half of the PBS reader protocol in the test server (upstream src/api2/reader/mod.rs and
// environment.rs; docs/pbs-formats.md): after the 101 the same TLS socket carries HTTP/2 with
// the client as the HTTP/2 client. Each session has its own allow-list of chunks, filled by
// downloading an index; /chunk answers 401 for anything else, as PBS does. Errors are a status and
// the plain message text. Faults for tests and benchmarks (latency, a dropped connection, 5xx, a
// bandwidth throttle) are applied to /chunk only.
//
// Node notes: the 101 must be written completely before the socket is handed to
// the HTTP/2 server (handing it over with the write pending aborts in Http2Session::OnStreamAfterWrite),
// and the socket must look like ALPN "h2", or http2's connection listener drops it as an unknown
// protocol. One http2 server object per session keeps the session's state in a closure.
import { createServer as createH2Server, type ServerHttp2Stream, type IncomingHttpHeaders } from 'node:http2';
import type { TLSSocket } from 'node:tls';
import type { EventEmitter } from 'node:events';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseFixedIndex, digestAt } from '../../electron/pbs/fixedIndex.ts';
import { parseDynamicIndex } from '../../electron/pbs/dynamicIndex.ts';
import { toHex } from '../../electron/pbs/hex.ts';
import { bombBlob, holdChunk, hostileChunk, type HostileState } from './hostile.ts';

const WINDOW = 32 * 1024 * 1024;
const MAX_FRAME = 4 * 1024 * 1024;
const SLICE = 64 * 1024;

/** Server-wide fault state, shared by all sessions. */
export interface Faults {
  latencyMs: number;
  dropAfterChunks?: number;
  dropped: boolean;
  fail5xxChunks: number;
  throttleBytesPerSec?: number;
  /** Time (ms, performance.now) when the throttled link is next free. */
  throttleFreeAt: number;
  timers: Set<NodeJS.Timeout>;
  /** Emits 'chunk' (digest, request number) as each /chunk request arrives, 'sent' (bytes) as its body goes out, and 'session'. */
  events: EventEmitter;
}

export interface ReaderStats {
  chunkRequests: number;
  sessions: number;
  refusedChunks: number;
  downloads: string[];
  /** Chunk bodies sent, on the server's clock (performance.now() when the last byte was handed to the stream). */
  sent: Array<{ at: number; bytes: number }>;
  /** Their bytes in all. */
  sentBytes: number;
}

function reply(stream: ServerHttp2Stream, status: number, body: string | Buffer, contentLength = false): void {
  if (stream.destroyed || stream.closed) return;
  const isText = typeof body === 'string';
  const buf = isText ? Buffer.from(body) : body;
  stream.respond({
    ':status': status,
    'content-type': isText ? 'text/plain;charset=UTF-8' : 'application/octet-stream',
    ...(contentLength ? { 'content-length': buf.length } : {}),
  });
  stream.end(buf);
}

function delay(faults: Faults, ms: number, stream: ServerHttp2Stream): Promise<boolean> {
  if (ms <= 0) return Promise.resolve(!stream.destroyed);
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      faults.timers.delete(t);
      stream.off('close', onClose);
      resolve(!stream.destroyed);
    }, ms);
    const onClose = (): void => {
      clearTimeout(t);
      faults.timers.delete(t);
      resolve(false);
    };
    faults.timers.add(t);
    stream.once('close', onClose);
  });
}

/** Sends a body through the shared throttle: each slice books its time on the link. */
async function sendThrottled(stream: ServerHttp2Stream, faults: Faults, data: Buffer): Promise<void> {
  const rate = faults.throttleBytesPerSec!;
  stream.respond({ ':status': 200, 'content-type': 'application/octet-stream', 'content-length': data.length });
  for (let off = 0; off < data.length; off += SLICE) {
    const slice = data.subarray(off, Math.min(off + SLICE, data.length));
    const now = performance.now();
    const start = Math.max(now, faults.throttleFreeAt);
    faults.throttleFreeAt = start + (slice.length / rate) * 1000;
    if (!(await delay(faults, faults.throttleFreeAt - now, stream))) return;
    stream.write(slice);
  }
  stream.end();
}

function noteSent(stats: ReaderStats, faults: Faults, bytes: number): void {
  stats.sent.push({ at: performance.now(), bytes });
  stats.sentBytes += bytes;
  faults.events.emit('sent', bytes);
}

function params(path: string): { route: string; query: URLSearchParams } {
  const url = new URL(path, 'https://reader');
  return { route: url.pathname.split('/').filter(Boolean).join('/'), query: url.searchParams };
}

function unknownParam(query: URLSearchParams, allowed: string[]): string | undefined {
  for (const k of query.keys()) if (k !== '_dc' && !allowed.includes(k)) return k;
  return undefined;
}

/** Starts HTTP/2 on an upgraded socket whose 101 has been fully written. */
export function serveReaderSession(socket: TLSSocket, head: Buffer, root: string, snapDir: string, faults: Faults, stats: ReaderStats, hostile?: HostileState): void {
  const allowed = new Set<string>();
  const h2 = createH2Server({ settings: { initialWindowSize: WINDOW, maxFrameSize: MAX_FRAME }, maxSessionMemory: 256 });
  h2.on('session', (session) => {
    session.on('error', () => {});
    session.once('connect', () => session.setLocalWindowSize(WINDOW));
  });
  h2.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => {
    stream.on('error', () => {});
    handle(stream, String(headers[':method']), String(headers[':path'])).catch((e: Error) => reply(stream, 400, e.message));
  });

  async function handle(stream: ServerHttp2Stream, method: string, path: string): Promise<void> {
    const { route, query } = params(path);
    if (method !== 'GET') return reply(stream, 405, `method ${method} not allowed`);
    if (route === 'download') {
      const bad = unknownParam(query, ['file-name']);
      if (bad) return reply(stream, 400, `parameter verification failed - '${bad}': schema does not allow additional properties`);
      const name = query.get('file-name') ?? '';
      if (!/^[A-Za-z0-9_][A-Za-z0-9._-]*$/.test(name)) return reply(stream, 400, "parameter verification failed - 'file-name': value does not match the regex pattern");
      return download(stream, name);
    }
    if (route === 'chunk') {
      const bad = unknownParam(query, ['digest']);
      if (bad) return reply(stream, 400, `parameter verification failed - '${bad}': schema does not allow additional properties`);
      const digest = query.get('digest') ?? '';
      if (!/^[a-f0-9]{64}$/.test(digest)) return reply(stream, 400, "parameter verification failed - 'digest': value does not match the regex pattern");
      return chunk(stream, digest);
    }
    if (route === 'speedtest') return reply(stream, 200, Buffer.alloc(1024 * 1024, 0x41));
    return reply(stream, 404, `Path '/${route}' not found.`);
  }

  async function download(stream: ServerHttp2Stream, name: string): Promise<void> {
    const path = join(snapDir, name);
    if (name.endsWith('.fidx') || name.endsWith('.didx')) {
      let buf: Buffer;
      try {
        buf = await readFile(path);
      } catch (e) {
        const kind = name.endsWith('.fidx') ? 'fixed' : 'dynamic';
        return reply(stream, 400, `Unable to open ${kind} index ${JSON.stringify(path)} - ${(e as Error).message.includes('ENOENT') ? 'No such file or directory (os error 2)' : (e as Error).message}`);
      }
      if (name.endsWith('.fidx')) {
        const index = parseFixedIndex(buf, name);
        for (let i = 0; i < index.count; i++) allowed.add(toHex(digestAt(index, i)));
      } else {
        const index = parseDynamicIndex(buf, name);
        for (let i = 0; i < index.count; i++) allowed.add(index.entries.toString('hex', i * 40 + 8, i * 40 + 40));
      }
    } else if (!name.endsWith('.blob')) {
      return reply(stream, 400, 'unable to parse archive type');
    }
    if (hostile?.opts.bombs?.includes(name)) {
      stats.downloads.push(name);
      return reply(stream, 200, bombBlob(hostile.opts.bombBytes ?? 64 * 1024 * 1024));
    }
    let data: Buffer;
    try {
      data = await readFile(path);
    } catch {
      return reply(stream, 404, `open file ${JSON.stringify(path)} failed - not found`);
    }
    stats.downloads.push(name);
    // PBS streams files without a content-length.
    reply(stream, 200, data);
  }

  async function chunk(stream: ServerHttp2Stream, digest: string): Promise<void> {
    const n = ++stats.chunkRequests;
    faults.events.emit('chunk', digest, n);
    if (faults.dropAfterChunks !== undefined && !faults.dropped && n > faults.dropAfterChunks) {
      // A connection lost without a goodbye: every stream on it dies.
      faults.dropped = true;
      stream.session?.destroy();
      socket.destroy();
      return;
    }
    if (n <= faults.fail5xxChunks) return reply(stream, 503, 'service unavailable (injected by the test server)');
    if (!allowed.has(digest)) {
      stats.refusedChunks++;
      return reply(stream, 401, `download chunk ${digest} not allowed`);
    }
    if (!(await delay(faults, faults.latencyMs, stream))) return;
    if (hostile && !(await holdChunk(hostile, stream))) return;
    if (hostile && hostileChunk(hostile, stream)) return;
    let data: Buffer;
    const path = join(root, '.chunks', digest.slice(0, 4), digest);
    try {
      data = await readFile(path);
    } catch (e) {
      return reply(stream, 400, `reading file ${JSON.stringify(path)} failed: ${(e as Error).message}`);
    }
    if (stream.destroyed) return;
    if (faults.throttleBytesPerSec) {
      await sendThrottled(stream, faults, data);
      if (!stream.destroyed) noteSent(stats, faults, data.length);
      return;
    }
    reply(stream, 200, data, true);
    noteSent(stats, faults, data.length);
  }

  // Looks like an ALPN "h2" connection to http2's connection listener.
  (socket as { alpnProtocol: string | false | null }).alpnProtocol = 'h2';
  if (head.length) socket.unshift(head);
  stats.sessions++;
  h2.emit('connection', socket);
  faults.events.emit('session', stats.sessions);
}
