// Browser mode's transport: the same service as the desktop app, over HTTP on 127.0.0.1.
//   POST /api/<command>   JSON args → 200 { ok: true, value } | { ok: false, error } (CallOutcome)
//   GET  /api/events      Server-Sent Events: every contract event (Last-Event-ID resumes)
//   GET  /api/files/download/<id>   a files job's download, streamed (download.ts)
//   GET  /…               the built UI (out/renderer), no token needed: it holds no data
// Refusals before any work: Host or Origin not ours → 403; no or wrong token → 401 (guard.ts);
// not JSON → 415; body over 1 MiB → 413. A client that goes away mid-call cancels the call.
// node:http is loaded when a server starts: an ESM import of it also loads Node's internal undici,
// which every CLI start would pay for.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CallOutcome, CommandName, ContractError, RestoreConsoleApi } from '../../shared/contract.ts';
import type { AnyListener } from '../service/events.ts';
import { toContractError } from '../../shared/errors.ts';
import { SECURITY_HEADERS } from './csp.ts';
import { DOWNLOAD_PREFIX, serveDownload, type DownloadSource } from './download.ts';
import { allowedHosts, checkRequest, newToken } from './guard.ts';
import { SseHub } from './sse.ts';
import { defaultStaticRoot, serveStatic } from './static.ts';

/** The service as the server needs it: the contract plus a feed of every event. */
export interface ServedService extends RestoreConsoleApi, DownloadSource {
  onAny(listener: AnyListener): () => void;
}

export interface HttpServerOptions {
  service: ServedService;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** Default: a new random token. */
  token?: string;
  /** The built UI; default out/renderer of this checkout. */
  staticDir?: string;
}

export interface RunningServer {
  /** http://host:port */
  origin: string;
  /** The address to open: origin + /?token=… */
  url: string;
  token: string;
  port: number;
  close(): Promise<void>;
}

const MAX_BODY = 1024 * 1024;

export async function startHttpServer(opts: HttpServerOptions): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  const token = opts.token ?? newToken();
  const staticDir = opts.staticDir ?? defaultStaticRoot();
  const hub = new SseHub();
  const unsubscribe = opts.service.onAny((event, payload) => hub.publish(event, payload));
  let hosts = new Set<string>();

  const server: Server = process.getBuiltinModule('node:http').createServer((req, res) => {
    handle(req, res).catch((e) => {
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: toContractError(e) });
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://server.invalid');
    const api = url.pathname === '/api' || url.pathname.startsWith('/api/');
    const refusal = checkRequest(req, url, { hosts, token, needToken: api });
    if (refusal) return sendJson(res, refusal.status, { ok: false, error: { code: refusal.code, message: refusal.message } });
    if (!api) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, fail('BAD_ARGUMENTS', 'only GET and HEAD outside /api'));
      return serveStatic(req, res, staticDir, url.pathname, SECURITY_HEADERS);
    }
    if (url.pathname === '/api/events') {
      if (req.method !== 'GET') return sendJson(res, 405, fail('BAD_ARGUMENTS', 'the event stream is read with GET'));
      const last = req.headers['last-event-id'];
      return hub.attach(res, typeof last === 'string' ? last : undefined, SECURITY_HEADERS);
    }
    if (url.pathname.startsWith(DOWNLOAD_PREFIX)) {
      return serveDownload(req, res, url.pathname, opts.service, SECURITY_HEADERS, (status, error) => sendJson(res, status, { ok: false, error }));
    }
    if (req.method !== 'POST') return sendJson(res, 405, fail('BAD_ARGUMENTS', 'commands are sent with POST'));
    const type = req.headers['content-type'] ?? '';
    if (!/^application\/json\s*(;|$)/i.test(type)) return sendJson(res, 415, fail('BAD_ARGUMENTS', 'send the arguments as application/json'));
    const command = decodeURIComponent(url.pathname.slice('/api/'.length));
    let args: unknown;
    try {
      const body = await readBody(req);
      args = body.length ? JSON.parse(body) : {};
    } catch (e) {
      if ((e as { tooLarge?: boolean }).tooLarge) return sendJson(res, 413, fail('BAD_ARGUMENTS', 'arguments larger than 1 MiB'));
      return sendJson(res, 400, fail('BAD_ARGUMENTS', `arguments are not JSON: ${(e as Error).message}`));
    }
    // A client that disconnects before the answer cancels the call.
    const ac = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) ac.abort();
    });
    let outcome: CallOutcome<unknown>;
    try {
      const value = await opts.service.invoke(command as CommandName, args as never, { signal: ac.signal });
      outcome = { ok: true, value };
    } catch (e) {
      outcome = { ok: false, error: toContractError(e) };
    }
    if (!res.destroyed) sendJson(res, 200, outcome);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) => {
      // Not listening (the port is taken): nothing may stay subscribed, so another try starts clean.
      unsubscribe();
      hub.close();
      reject(e);
    });
    server.listen(opts.port ?? 0, host, () => {
      server.removeAllListeners('error');
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  hosts = allowedHosts(host, port);
  const hostPart = host.includes(':') ? `[${host}]` : host;
  const origin = `http://${hostPart}:${port}`;
  return {
    origin,
    url: `${origin}/?token=${token}`,
    token,
    port,
    async close() {
      unsubscribe();
      hub.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function fail(code: ContractError['code'], message: string): CallOutcome<never> {
  return { ok: false, error: { code, message } };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(Object.assign(new Error('too large'), { tooLarge: true }));
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
