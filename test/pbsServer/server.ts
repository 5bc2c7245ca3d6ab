// A PBS-compatible server for tests and benchmarks: serves a datastore directory over TLS on
// 127.0.0.1 (random port) with the JSON API a restore client uses (tickets and API tokens,
// datastores, namespaces, groups, snapshots, version) and the reader protocol upgrade
// (readerSession.ts). Behaviour follows docs/pbs-formats.md and the upstream files cited there:
// parameters outside an endpoint's schema are rejected (400), errors are a status plus plain text
// (with PBS's JSON content type), most refusals during the upgrade are 400 with PBS's message.
//
// TLS uses the committed test-only certificate in fixtures/ (see its README): no openssl binary
// needed at test time, and the same fingerprint every run.
import { X509Certificate } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { basename, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isSafeId } from '../../electron/pbs/names.ts';
import { TestAuth } from './auth.ts';
import { listGroups, listNamespaces, listSnapshots, snapshotDir } from './datastoreApi.ts';
import { echoedAuth, hostileJson, withBadNames, type HostileOptions, type HostileState } from './hostile.ts';
import { serveReaderSession, type Faults, type ReaderStats } from './readerSession.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
export const TEST_CERT = readFileSync(`${FIXTURES}cert.pem`, 'utf8');
const TEST_KEY = readFileSync(`${FIXTURES}key.pem`, 'utf8');
/** A second test-only pair: the same server after its certificate was renewed. */
const RENEWED_CERT = readFileSync(`${FIXTURES}renewed-cert.pem`, 'utf8');
const RENEWED_KEY = readFileSync(`${FIXTURES}renewed-key.pem`, 'utf8');
const READER_PROTOCOL = 'proxmox-backup-reader-protocol-v1';
const JSON_TYPE = 'application/json;charset=UTF-8';

export interface PbsTestServerOptions {
  /** Datastore directory. */
  datastore: string;
  /** Datastore name in the API; default: the directory's name (or "store" if that is no valid name). */
  store?: string;
  /** API tokens accepted: auth id (`user@realm!name`) → secret. */
  tokens?: Record<string, string>;
  /** Users accepted: user id (`user@realm`) → password. */
  users?: Record<string, string>;
  /** Delay before each /chunk answer, in ms. */
  latencyMs?: number;
  /** Destroy the connection when chunk request N+1 arrives (once per server). */
  dropAfterChunks?: number;
  /** Answer 503 to the first K chunk requests. */
  fail5xxChunks?: number;
  /** Bandwidth shared by all chunk answers, in bytes/s. */
  throttleBytesPerSec?: number;
  /** Misbehaviour against the client's bounds and output hygiene (hostile.ts). */
  hostile?: HostileOptions;
  /** 'renewed': present the second test certificate (a server whose certificate changed). */
  certificate?: 'test' | 'renewed';
  /** Listen on this port (a restart on the same address); default a free one. */
  port?: number;
}

export interface PbsTestServer {
  url: string;
  port: number;
  /** Lowercase colon hex SHA-256 of the certificate, as PBS shows it. */
  fingerprint: string;
  /** Datastore name to use in repositories. */
  store: string;
  /** PEM of the self-signed certificate (to test trust through a CA instead of a pin). */
  cert: string;
  auth: TestAuth;
  stats: ReaderStats;
  /** Hostile modes in force and the bytes their bodies wrote. */
  hostile: HostileState;
  /** 'chunk' (digest, n) when a /chunk request arrives; 'session' (n) after each upgrade. */
  events: EventEmitter;
  close(): Promise<void>;
}

class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

function checkParams(query: URLSearchParams, allowed: string[]): void {
  for (const k of query.keys()) {
    if (k !== '_dc' && !allowed.includes(k)) throw new HttpError(400, `parameter verification failed - '${k}': schema does not allow additional properties`);
  }
}

async function readBody(req: IncomingMessage): Promise<Record<string, string>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  const type = String(req.headers['content-type'] ?? '');
  if (type.startsWith('application/json')) return JSON.parse(text || '{}');
  if (type.startsWith('application/x-www-form-urlencoded') || !type) return Object.fromEntries(new URLSearchParams(text));
  throw new HttpError(400, 'unsupported content type');
}

export async function startPbsTestServer(opts: PbsTestServerOptions): Promise<PbsTestServer> {
  const root = resolve(opts.datastore);
  const store = opts.store ?? (isSafeId(basename(root)) && basename(root).length >= 3 ? basename(root) : 'store');
  const auth = new TestAuth(opts.tokens, opts.users);
  const stats: ReaderStats = { chunkRequests: 0, sessions: 0, refusedChunks: 0, downloads: [], sent: [], sentBytes: 0 };
  const faults: Faults = {
    latencyMs: opts.latencyMs ?? 0,
    ...(opts.dropAfterChunks !== undefined ? { dropAfterChunks: opts.dropAfterChunks } : {}),
    dropped: false,
    fail5xxChunks: opts.fail5xxChunks ?? 0,
    ...(opts.throttleBytesPerSec ? { throttleBytesPerSec: opts.throttleBytesPerSec } : {}),
    throttleFreeAt: 0,
    timers: new Set(),
    events: new EventEmitter(),
  };
  const hostile: HostileState = { opts: { ...opts.hostile }, sentBytes: 0, timers: faults.timers, held: [] };
  const sockets = new Set<TLSSocket>();
  const cert = opts.certificate === 'renewed' ? RENEWED_CERT : TEST_CERT;
  const server: Server = createServer({ key: opts.certificate === 'renewed' ? RENEWED_KEY : TEST_KEY, cert });
  server.on('secureConnection', (s: TLSSocket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  const checkStore = (name: string | undefined): void => {
    if (name !== store) throw new HttpError(400, `no such datastore '${name ?? ''}'`);
  };

  async function api(method: string, path: string, query: URLSearchParams, req: IncomingMessage): Promise<unknown> {
    if (path === 'access/ticket' && method === 'POST') {
      checkParams(query, []);
      const body = await readBody(req);
      const r = auth.login(String(body.username ?? ''), String(body.password ?? ''));
      if (!r) throw new HttpError(401, hostile.opts.echoAuth ? `authentication failure for ${body.username} with password ${body.password}` : 'authentication failure');
      return { username: body.username, ticket: r.ticket, CSRFPreventionToken: r.csrf };
    }
    const who = auth.authenticate(method, req.headers);
    if (!who.ok) throw new HttpError(401, who.message);
    if (method !== 'GET') throw new HttpError(405, `method ${method} not allowed`);
    const parts = path.split('/');
    if (path === 'version') {
      checkParams(query, []);
      return { version: '4.2.0', release: '1', repoid: 'restore-console-test' };
    }
    if (path === 'admin/datastore') {
      checkParams(query, []);
      return [{ store, comment: 'restore-console test datastore', 'mount-status': 'nonremovable', 'backend-type': 'filesystem' }];
    }
    if (parts.length === 4 && parts[0] === 'admin' && parts[1] === 'datastore') {
      checkStore(parts[2]);
      const ns = query.get('ns') ?? '';
      if (hostile.opts.echoAuth) throw new HttpError(400, echoedAuth(req));
      const bad = <T extends Array<Record<string, unknown>>>(kind: 'namespace' | 'groups' | 'snapshots', data: T) => (hostile.opts.badNames ? withBadNames(kind, data) : data);
      switch (parts[3]) {
        case 'namespace': {
          checkParams(query, ['parent', 'max-depth']);
          const depth = query.get('max-depth');
          return bad('namespace', await listNamespaces(root, query.get('parent') ?? '', depth === null ? 7 : Number(depth)));
        }
        case 'groups':
          checkParams(query, ['ns']);
          return bad('groups', await listGroups(root, ns));
        case 'snapshots':
          checkParams(query, ['ns', 'backup-type', 'backup-id']);
          return bad('snapshots', await listSnapshots(root, ns, query.get('backup-type') ?? undefined, query.get('backup-id') ?? undefined));
      }
    }
    throw new HttpError(404, `Path '/api2/json/${path}' not found.`);
  }

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'https://pbs');
    const path = url.pathname.split('/').filter(Boolean);
    const send = (status: number, body: string): void => {
      res.writeHead(status, { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    if (path[0] !== 'api2' || path[1] !== 'json') return send(404, 'Path not found.');
    if (path[2] === 'reader') return send(400, 'missing Upgrade header');
    if (path[2] === 'admin' && path.length === 6 && ['namespace', 'groups', 'snapshots'].includes(path[5]!) && hostileJson(hostile, res)) return;
    api(req.method ?? 'GET', path.slice(2).join('/'), url.searchParams, req).then(
      (data) => send(200, JSON.stringify(path[2] === 'access' ? { data, status: 200, success: true } : { data })),
      (e: Error) => send(e instanceof HttpError ? e.status : 400, e.message),
    );
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const tls = socket as TLSSocket;
    const refuse = (status: number, message: string): void => {
      tls.end(`HTTP/1.1 ${status} Refused\r\ncontent-type: ${JSON_TYPE}\r\ncontent-length: ${Buffer.byteLength(message)}\r\nconnection: close\r\n\r\n${message}`);
    };
    (async () => {
      const url = new URL(req.url ?? '/', 'https://pbs');
      if (url.pathname.split('/').filter(Boolean).join('/') !== 'api2/json/reader') throw new HttpError(404, 'Path not found.');
      const who = auth.authenticate('GET', req.headers);
      if (!who.ok) throw new HttpError(401, who.message);
      if (hostile.opts.echoAuth) throw new HttpError(400, echoedAuth(req));
      const q = url.searchParams;
      checkParams(q, ['store', 'ns', 'backup-type', 'backup-id', 'backup-time', 'debug']);
      if (!q.get('store')) throw new HttpError(400, "parameter verification failed - 'store': parameter is missing and it is not optional.");
      checkStore(q.get('store')!);
      const [type, id, timeText] = [q.get('backup-type'), q.get('backup-id'), q.get('backup-time')];
      if (!type || !id || !timeText) throw new HttpError(400, 'parameter verification failed - backup-type, backup-id and backup-time are required');
      if (!/^[0-9]+$/.test(timeText) || Number(timeText) < 1) throw new HttpError(400, "parameter verification failed - 'backup-time': expected integer");
      if (q.has('debug') && !['true', 'false', '0', '1'].includes(q.get('debug')!)) throw new HttpError(400, "parameter verification failed - 'debug': expected boolean");
      if (req.headers.upgrade !== READER_PROTOCOL) throw new HttpError(400, 'invalid protocol name');
      const ns = q.get('ns') ?? '';
      if (q.has('ns') && ns === '') throw new HttpError(400, "parameter verification failed - 'ns': the root namespace is sent by leaving ns out");
      const time = Number(timeText);
      const dir = await snapshotDir(root, ns, type, id, time);
      if (!dir) throw new HttpError(400, `snapshot ${type}/${id}/${new Date(time * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z')} does not exist.`);
      return dir;
    })().then(
      (dir) => {
        const resp = `HTTP/1.1 101 Switching Protocols\r\nconnection: upgrade\r\nupgrade: ${READER_PROTOCOL}\r\n\r\n`;
        // The 101 must be fully written before HTTP/2 takes the socket (see readerSession.ts).
        tls.write(resp, () => serveReaderSession(tls, head, root, dir, faults, stats, hostile));
      },
      (e: Error) => refuse(e instanceof HttpError ? e.status : 400, e.message),
    );
  });

  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port ?? 0, '127.0.0.1', ok);
  });
  const port = (server.address() as { port: number }).port;
  const fingerprint = new X509Certificate(cert).fingerprint256.toLowerCase();
  return {
    url: `https://127.0.0.1:${port}`,
    port,
    fingerprint,
    store,
    cert,
    auth,
    stats,
    hostile,
    events: faults.events,
    async close() {
      for (const t of faults.timers) clearTimeout(t);
      faults.timers.clear();
      const closed = new Promise<void>((ok) => server.close(() => ok()));
      for (const s of sockets) s.destroy();
      server.closeAllConnections();
      await closed;
    },
  };
}
