// Authentication of the PBS test server, as PBS does it (docs/pbs-formats.md; upstream
// proxmox-auth-api/src/ticket.rs, api/access.rs, src/auth.rs, proxmox-rest-server/src/rest.rs):
// - `Authorization: PBSAPIToken <authid>:<secret>` (space or `=` after the scheme, secret
//   percent-decoded);
// - `Cookie: PBSAuthCookie=<ticket>` (or `__Host-PBSAuthCookie`), ticket
//   `PBS:<userid>:<%08X time>::<signature>`, valid from -300 s to 7200 s of age, plus
//   `CSRFPreventionToken` on every method but GET;
// - POST /access/ticket accepts the password, or a still-valid ticket of the same user (renewal).
// Tickets are HMAC-signed with a per-server random key: good enough to catch a client that sends
// the wrong thing, which is all a test server needs.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

const TICKET_MAX_AGE = 7200;
const TICKET_MIN_AGE = -300;

export type AuthResult = { ok: true; authId: string; via: 'token' | 'ticket' } | { ok: false; message: string };

const hex8 = (n: number): string => n.toString(16).toUpperCase().padStart(8, '0');
const b64 = (b: Buffer): string => b.toString('base64').replace(/=+$/, '');

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function percentDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export class TestAuth {
  readonly #tokens: Record<string, string>;
  readonly #users: Record<string, string>;
  readonly #key = randomBytes(32);
  /** Seconds added to the clock, so tests can age tickets. */
  clockSkew = 0;
  logins = 0;
  renewals = 0;

  constructor(tokens: Record<string, string> = {}, users: Record<string, string> = {}) {
    this.#tokens = tokens;
    this.#users = users;
  }

  #now(): number {
    return Math.floor(Date.now() / 1000) + this.clockSkew;
  }

  #sign(data: string): string {
    return b64(createHmac('sha256', this.#key).update(data).digest());
  }

  issue(userid: string): { ticket: string; csrf: string } {
    const time = hex8(this.#now());
    // TICKET_ASCIISET in ticket.rs: only controls and ':' are percent-encoded in the user id.
    const base = `PBS:${userid.replace(/[\x00-\x1f\x7f:%]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`)}:${time}`;
    return { ticket: `${base}::${this.#sign(base)}`, csrf: `${time}:${this.#sign(`csrf:${time}:${userid}`)}` };
  }

  /** The user a valid ticket belongs to. */
  verifyTicket(ticket: string): string | undefined {
    const m = /^(PBS:([^:]+):([0-9A-F]{8}))::(.+)$/.exec(ticket);
    if (!m || !safeEqual(this.#sign(m[1]!), m[4]!)) return undefined;
    const age = this.#now() - parseInt(m[3]!, 16);
    if (age < TICKET_MIN_AGE || age > TICKET_MAX_AGE) return undefined;
    return percentDecode(m[2]!);
  }

  verifyCsrf(token: string | undefined, userid: string): boolean {
    const m = token ? /^([0-9A-F]{8}):(.+)$/.exec(token) : null;
    return !!m && safeEqual(this.#sign(`csrf:${m[1]}:${userid}`), m[2]!);
  }

  /** POST /access/ticket: password, or a valid ticket of the same user. */
  login(username: string, password: string): { ticket: string; csrf: string } | undefined {
    if (password.startsWith('PBS:')) {
      if (this.verifyTicket(password) !== username) return undefined;
      this.renewals++;
      return this.issue(username);
    }
    const expected = this.#users[username];
    if (expected === undefined || !safeEqual(expected, password)) return undefined;
    this.logins++;
    return this.issue(username);
  }

  authenticate(method: string, headers: IncomingHttpHeaders): AuthResult {
    const authz = headers.authorization;
    if (authz) {
      const m = /^PBSAPIToken[ =]([^:]+):(.*)$/.exec(authz);
      if (!m) return { ok: false, message: 'authentication failed - invalid authorization header' };
      const authId = m[1]!;
      const secret = percentDecode(m[2]!);
      const expected = this.#tokens[authId];
      if (!authId.includes('!') || expected === undefined || !safeEqual(expected, secret)) {
        return { ok: false, message: `authentication failed - invalid token or secret for ${authId}` };
      }
      return { ok: true, authId, via: 'token' };
    }
    const cookies = Object.fromEntries(
      String(headers.cookie ?? '')
        .split(';')
        .map((c) => c.trim().split('='))
        .filter((kv) => kv.length >= 2)
        .map(([k, ...v]) => [k!, v.join('=')]),
    );
    const raw = cookies['__Host-PBSAuthCookie'] ?? cookies.PBSAuthCookie;
    if (!raw) return { ok: false, message: 'authentication failed - no authentication credentials provided.' };
    const userid = this.verifyTicket(percentDecode(raw));
    if (!userid) return { ok: false, message: 'authentication failed - invalid ticket' };
    if (method !== 'GET' && !this.verifyCsrf(headers.csrfpreventiontoken as string | undefined, userid)) {
      return { ok: false, message: 'authentication failed - invalid csrf token' };
    }
    return { ok: true, authId: userid, via: 'ticket' };
  }
}
