// Hostile behaviour of the PBS test server, to show that the client stays bounded (memory, time)
// and clean (no secrets or terminal control sequences in what it prints) against a server that
// misbehaves: endless, oversized and dripping bodies, decompression bombs, invalid names and
// control characters in listings, and error answers that echo the request's credentials.
// Every mode is off unless a test turns it on; bytes written for hostile bodies are counted.
import type { ServerHttp2Stream } from 'node:http2';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { crc32, zstdCompressSync } from 'node:zlib';
import { COMPRESSED_BLOB_MAGIC } from '../../electron/pbs/magic.ts';

export interface HostileOptions {
  /** /chunk answers: an endless body, a declared length beyond any chunk, one byte per `dripMs`, or none until released. */
  chunk?: 'endless' | 'oversized' | 'drip' | 'hold';
  /** JSON listings (namespaces, groups, snapshots): an endless body, or one byte per `dripMs`. */
  json?: 'endless' | 'drip';
  /** Gap between dripped bytes (default 50 ms: far inside any gap timeout a test sets). */
  dripMs?: number;
  /** Snapshot files (e.g. index.json.blob, qemu-server.conf.blob) answered with a zstd bomb instead. */
  bombs?: string[];
  /** What a bomb inflates to (default 64 MiB). */
  bombBytes?: number;
  /** Listings carry invalid group, snapshot, archive and namespace names, and control characters in comments. */
  badNames?: boolean;
  /** Listings and reader upgrades fail with 400 echoing the request's credentials; a failed login echoes the password. */
  echoAuth?: boolean;
}

export interface HostileState {
  opts: HostileOptions;
  /** Body bytes written by hostile answers (endless, oversized, dripping), all requests together. */
  sentBytes: number;
  timers: Set<NodeJS.Timeout>;
  /** /chunk requests held by mode 'hold', answered normally once released. */
  held: Array<() => void>;
}

/** Answers every held chunk request normally, and the ones after it. */
export function releaseHeld(state: HostileState): void {
  state.opts.chunk = undefined;
  for (const go of state.held.splice(0)) go();
}

/** Mode 'hold': waits until released (true) or the client gave up on the stream (false). */
export function holdChunk(state: HostileState, stream: ServerHttp2Stream): Promise<boolean> {
  if (state.opts.chunk !== 'hold') return Promise.resolve(true);
  return new Promise((resolve) => {
    const onClose = (): void => resolve(false);
    stream.once('close', onClose);
    state.held.push(() => {
      stream.off('close', onClose);
      resolve(!stream.destroyed);
    });
  });
}

const SLICE = 64 * 1024;
/** Beyond the largest valid chunk blob (16 MiB chunks and more). */
export const OVERSIZED_CHUNK = 256 * 1024 * 1024;

/** A valid compressed blob (right magic and CRC) of a few KiB inflating to `bytes` zero bytes. */
export function bombBlob(bytes: number): Buffer {
  // Buffer.alloc takes zeroed pages lazily; compressing them reads but never dirties them.
  const payload = zstdCompressSync(Buffer.alloc(bytes));
  const out = Buffer.alloc(12 + payload.length);
  out.set(COMPRESSED_BLOB_MAGIC, 0);
  out.writeUInt32LE(crc32(payload), 8);
  out.set(payload, 12);
  return out;
}

/** Waits until `w` can take more, or is gone (false). */
function drained(w: { destroyed: boolean; once(e: 'drain' | 'close', f: () => void): unknown; off(e: 'drain' | 'close', f: () => void): unknown }): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (ok: boolean) => () => {
      w.off('drain', onDrain);
      w.off('close', onClose);
      resolve(ok);
    };
    const onDrain = done(true);
    const onClose = done(false);
    w.once('drain', onDrain);
    w.once('close', onClose);
  });
}

function sleep(state: HostileState, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      state.timers.delete(t);
      resolve();
    }, ms);
    state.timers.add(t);
  });
}

type Sink = { destroyed: boolean; writableEnded: boolean; write(b: Buffer | string): boolean; once(e: 'drain' | 'close', f: () => void): unknown; off(e: 'drain' | 'close', f: () => void): unknown };

/** Writes `slice` until the client goes away, counting what was written. */
async function writeForever(state: HostileState, sink: Sink, slice: Buffer): Promise<void> {
  while (!sink.destroyed && !sink.writableEnded) {
    state.sentBytes += slice.length;
    if (!sink.write(slice) && !(await drained(sink))) return;
  }
}

/** Writes one byte of `text` (repeated) per dripMs until the client goes away. */
async function drip(state: HostileState, sink: Sink, text: string): Promise<void> {
  for (let i = 0; !sink.destroyed && !sink.writableEnded; i++) {
    state.sentBytes++;
    sink.write(text[i % text.length]!);
    await sleep(state, state.opts.dripMs ?? 50);
  }
}

/** Answers a /chunk request the hostile way; false when the chunk mode is off. */
export function hostileChunk(state: HostileState, stream: ServerHttp2Stream): boolean {
  const mode = state.opts.chunk;
  if (!mode || mode === 'hold') return false;
  const headers = { ':status': 200, 'content-type': 'application/octet-stream' };
  if (mode === 'endless') {
    stream.respond(headers);
    void writeForever(state, stream, Buffer.alloc(SLICE, 0x5a));
  } else if (mode === 'oversized') {
    stream.respond({ ...headers, 'content-length': OVERSIZED_CHUNK });
    void writeForever(state, stream, Buffer.alloc(SLICE, 0x5a));
  } else {
    // A length any chunk may have, so only the pace gives it away.
    stream.respond({ ...headers, 'content-length': 60_000 });
    void drip(state, stream, 'x');
  }
  return true;
}

/** Answers a JSON listing the hostile way; false when the JSON mode is off. */
export function hostileJson(state: HostileState, res: ServerResponse): boolean {
  const mode = state.opts.json;
  if (!mode) return false;
  res.writeHead(200, { 'content-type': 'application/json;charset=UTF-8' });
  res.write('{"data":[');
  if (mode === 'endless') void writeForever(state, res, Buffer.from('{"backup-type":"vm","backup-id":"100","backup-time":1700000000},'.repeat(1000)));
  else void drip(state, res, '{"backup-type":"vm"},');
  return true;
}

/** The 400 answer of `echoAuth`: the credentials the request carried, as some proxies do. */
export function echoedAuth(req: IncomingMessage): string {
  return `bad request (the server echoes what it got): authorization: ${req.headers.authorization ?? '-'} cookie: ${req.headers.cookie ?? '-'}`;
}

const ESC = '\u001b';
/** Control sequences a terminal would act on: clear the screen, set the title, a fake prompt line. */
export const HOSTILE_TEXT = `${ESC}[2J${ESC}]0;pwned\u0007note\r\nrestore-console: error [FAKE]: spoofed line`;

/** Listings with invalid names and control characters added to what the datastore holds. */
export function withBadNames(kind: 'namespace' | 'groups' | 'snapshots', data: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  if (kind === 'namespace') return [...data, { ns: '../escape' }, { ns: `lab/${ESC}[2J` }];
  if (kind === 'groups') {
    const bad = (id: string) => ({ 'backup-type': 'vm', 'backup-id': id, 'last-backup': 1700000000, 'backup-count': 1, comment: HOSTILE_TEXT });
    return [...data.map((g) => ({ ...g, comment: HOSTILE_TEXT })), bad('../../etc'), bad(`web${ESC}[2J`)];
  }
  const bad = (id: string, filename: string) => ({
    'backup-type': 'vm',
    'backup-id': id,
    'backup-time': 1700000000,
    files: [{ filename: 'index.json.blob', size: 100 }, { filename, size: 1024, 'crypt-mode': 'none' }],
  });
  return [
    ...data.map((s) => ({
      ...s,
      comment: HOSTILE_TEXT,
      files: [...((s.files as unknown[]) ?? []), { filename: '../../../etc/passwd.img.fidx', size: 1, 'crypt-mode': 'none' }],
    })),
    bad('../../etc', 'drive-scsi0.img.fidx'),
    bad(`web${ESC}]0;x\u0007`, 'drive-scsi0.img.fidx'),
  ];
}
