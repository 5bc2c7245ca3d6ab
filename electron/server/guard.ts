// Who may talk to the browser-mode server. It listens on 127.0.0.1, but any web page the user
// opens can send requests there, and DNS rebinding can make a foreign name resolve to it. So:
//   - Host must name this server (127.0.0.1:PORT, localhost:PORT, or the host it was bound to):
//     a rebound name fails here (403);
//   - Origin, when present, must be this server's own origin: other pages fail (403), and no
//     CORS headers are ever sent, so they cannot read answers either;
//   - every API call carries the random token (Authorization: Bearer, or ?token= for the event
//     stream), compared in constant time (401 otherwise).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** host:port forms a browser may send for a server bound to `bindHost`. */
export function allowedHosts(bindHost: string, port: number): Set<string> {
  const hosts = new Set<string>();
  const add = (h: string): void => void hosts.add(`${h}:${port}`.toLowerCase());
  const v6 = isIP(bindHost) === 6;
  add(v6 ? `[${bindHost}]` : bindHost);
  if (bindHost === '127.0.0.1' || bindHost === '::1' || bindHost === 'localhost') {
    add('localhost');
    add('127.0.0.1');
    add('[::1]');
  }
  return hosts;
}

export function hostAllowed(host: string | undefined, allowed: Set<string>): boolean {
  return typeof host === 'string' && allowed.has(host.toLowerCase());
}

/** No Origin (same-origin GET, curl, Node's fetch) is fine; a present Origin must be ours. */
export function originAllowed(origin: string | undefined, allowed: Set<string>): boolean {
  if (origin === undefined) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  return url.protocol === 'http:' && url.origin === origin && allowed.has(url.host.toLowerCase());
}

/** Constant-time comparison; hashing first makes the lengths equal without leaking them. */
export function tokenMatches(given: string | undefined, expected: string): boolean {
  if (typeof given !== 'string' || given.length === 0) return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** The token from `Authorization: Bearer …`, or from `?token=` (EventSource cannot set headers). */
export function tokenOf(req: IncomingMessage, url: URL): string | undefined {
  const auth = req.headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(\S+)$/i.exec(auth);
    return m?.[1];
  }
  return url.searchParams.get('token') ?? undefined;
}

export type Refusal = { status: 401 | 403; code: 'UNAUTHORIZED' | 'FORBIDDEN'; message: string };

/** Host and Origin for every request; the token too for API requests. */
export function checkRequest(req: IncomingMessage, url: URL, opts: { hosts: Set<string>; token: string; needToken: boolean }): Refusal | undefined {
  if (!hostAllowed(req.headers.host, opts.hosts)) return { status: 403, code: 'FORBIDDEN', message: 'this server answers only requests addressed to itself (Host)' };
  const origin = req.headers.origin;
  if (!originAllowed(origin, opts.hosts)) return { status: 403, code: 'FORBIDDEN', message: 'requests from other origins are refused' };
  if (req.headers['sec-fetch-site'] === 'cross-site') return { status: 403, code: 'FORBIDDEN', message: 'cross-site requests are refused' };
  if (opts.needToken && !tokenMatches(tokenOf(req, url), opts.token)) {
    return { status: 401, code: 'UNAUTHORIZED', message: 'a valid token is required: open the URL that restore-console serve printed' };
  }
  return undefined;
}
