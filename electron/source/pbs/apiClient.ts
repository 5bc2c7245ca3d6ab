// The JSON API of a PBS server on port 8007 (proxmox-rest-server; docs/pbs-formats.md), over undici.
// Paths are /api2/json/…; GET parameters go in the query string, POST bodies are JSON; answers are
// {"data": …}; errors are a status plus plain text (mapped in httpErrors.ts). PBS speaks only
// HTTP/1.1 on this port (it configures no ALPN), so a small keep-alive pool is all we need.
// Connections come from connectTls, which applies the fingerprint pin. undici is loaded on the
// first request: it is most of the CLI bundle's size, and a local restore never needs it.
import type { Dispatcher, Pool } from 'undici';
import { RestoreError } from '../../../shared/errors.ts';
import { PbsAuth, type TicketResponse } from './auth.ts';
import { httpError, networkError, type RequestKind } from './httpErrors.ts';
import { DEFAULT_RATE_FLOOR, RateFloor, tooSlow, type RateFloorOptions } from './rateFloor.ts';
import { hostPort } from './repository.ts';
import { connectTls, type TlsTarget } from './tlsPin.ts';

export type Query = Record<string, string | number | boolean | undefined>;

export interface ApiTarget extends TlsTarget {
  /** Limit for headers and for each gap in a body. */
  requestTimeoutMs: number;
  /** The largest JSON answer accepted (default 64 MiB: a listing of ~100 000 snapshots). */
  maxJsonBytes?: number;
  /** The overall deadline of a request (default: 64 KiB/s after 30 s). */
  rate?: RateFloorOptions;
}

export const MAX_JSON_BYTES = 64 * 1024 * 1024;
/** Of an error answer, only the start becomes part of a message. */
const MAX_ERROR_TEXT = 64 * 1024;

/** `?a=1&b=x` in form encoding (what PBS parses), leaving out undefined values. */
export function queryString(query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}

export class PbsApiClient {
  readonly where: string;
  readonly auth: PbsAuth;
  readonly #target: ApiTarget;
  #pool: Promise<Pool> | undefined;
  #received = 0;

  constructor(target: ApiTarget, auth: PbsAuth) {
    this.#target = target;
    this.auth = auth;
    this.where = hostPort(target.host, target.port);
  }

  #connections(): Promise<Pool> {
    const target = this.#target;
    // The default export (module.exports): the one shape every loader gives a CommonJS package,
    // Node's ESM loader and the bundler's split chunk alike.
    this.#pool ??= import('undici').then(
      ({ default: { Pool } }) =>
        new Pool(`https://${this.where}`, {
          connections: 4,
          headersTimeout: target.requestTimeoutMs,
          bodyTimeout: target.requestTimeoutMs,
          connect: (_opts, callback) => {
            connectTls(target).then(
              (socket) => callback(null, socket),
              (e: Error) => callback(e, null),
            );
          },
        }),
    );
    return this.#pool;
  }

  /** Logs in when the credentials are a user and password; checks a token with a cheap call. */
  async start(): Promise<void> {
    await this.auth.start(this.#login);
    if (this.auth.isToken) await this.get('/version');
  }

  readonly #login = async (username: string, password: string): Promise<TicketResponse> => {
    const data = await this.#send('POST', '/access/ticket', {}, { username, password }, 'login', false);
    const d = data as Partial<TicketResponse> | undefined;
    if (typeof d?.ticket !== 'string' || typeof d.CSRFPreventionToken !== 'string') {
      // TFA users get a partial ticket without a CSRF token; a second factor is not supported.
      throw new RestoreError('AUTH_FAILED', `login to ${this.where} as ${username} gave no usable ticket (two-factor login is not supported; use an API token)`);
    }
    return { ticket: d.ticket, CSRFPreventionToken: d.CSRFPreventionToken };
  };

  /** GET /api2/json<path> and return `data`. */
  async get<T = unknown>(path: string, query?: Query): Promise<T> {
    return (await this.#send('GET', path, query, undefined, 'api', true)) as T;
  }

  /** Body bytes received from the server so far, all requests together. */
  get bytesReceived(): number {
    return this.#received;
  }

  async #send(method: 'GET' | 'POST', path: string, query: Query | undefined, body: unknown, kind: RequestKind, authenticated: boolean, retried = false): Promise<unknown> {
    const what = kind === 'login' ? `login to ${this.where}` : `${method} ${path} on ${this.where}`;
    const headers: Record<string, string> = authenticated ? await this.auth.headers() : {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    const rate = this.#target.rate ?? DEFAULT_RATE_FLOOR;
    const stop = new AbortController();
    const floor = new RateFloor(rate, (ms, bytes) => stop.abort(new RestoreError('TIMEOUT', tooSlow(what, rate, ms, bytes), { transient: true })));
    let statusCode: number;
    let text: string;
    try {
      const res = await (await this.#connections()).request({
        method,
        path: `/api2/json${path}${queryString(query)}`,
        headers,
        signal: stop.signal,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      statusCode = res.statusCode;
      text = await this.#readBody(res, what, floor);
    } catch (e) {
      const reason = stop.signal.reason;
      throw reason instanceof RestoreError ? reason : networkError(e, what);
    } finally {
      floor.stop();
    }
    if (statusCode === 401 && authenticated && !this.auth.isToken && !retried) {
      // An expired ticket (a laptop that slept past its 2 hours): log in again, once.
      await this.auth.renew();
      return this.#send(method, path, query, body, kind, authenticated, true);
    }
    // A server may echo the Authorization header or the password: never into a message.
    if (statusCode < 200 || statusCode >= 300) throw httpError(statusCode, this.auth.redact(text), kind, what);
    try {
      return (JSON.parse(text) as { data?: unknown }).data;
    } catch (e) {
      throw new RestoreError('SERVER_ERROR', `${what}: the answer is not JSON (${(e as Error).message.slice(0, 200)})`, { cause: e });
    }
  }

  /** The body as text, refused as soon as it passes the bound (declared or received). */
  async #readBody(res: Dispatcher.ResponseData, what: string, floor: RateFloor): Promise<string> {
    const ok = res.statusCode >= 200 && res.statusCode < 300;
    const max = ok ? (this.#target.maxJsonBytes ?? MAX_JSON_BYTES) : MAX_ERROR_TEXT;
    const declared = Number(res.headers['content-length'] ?? -1);
    const tooLarge = (n: number): RestoreError => new RestoreError('SERVER_ERROR', `${what}: response too large (${n} bytes, more than the ${max} accepted)`);
    if (ok && declared > max) {
      res.body.destroy();
      throw tooLarge(declared);
    }
    const parts: Buffer[] = [];
    let n = 0;
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      n += chunk.length;
      this.#received += chunk.length;
      floor.add(chunk.length);
      if (n > max) {
        res.body.destroy();
        if (ok) throw tooLarge(n);
        parts.push(chunk.subarray(0, chunk.length - (n - max)));
        break;
      }
      parts.push(chunk);
    }
    return Buffer.concat(parts).toString('utf8');
  }

  /** Headers for a request made outside this client (the reader upgrade). */
  authHeaders(): Promise<Record<string, string>> {
    return this.auth.headers();
  }

  get target(): ApiTarget {
    return this.#target;
  }

  async close(): Promise<void> {
    const pool = await this.#pool?.catch(() => undefined);
    await pool?.close().catch(() => pool.destroy());
  }
}
