// Credentials for a PBS server (docs/pbs-formats.md; upstream pbs-client/src/http_client.rs,
// proxmox-auth-api/src/api/access.rs and ticket.rs):
// - API token (`user@realm!name`): every request carries `Authorization: PBSAPIToken <authid>:<secret>`,
//   the secret percent-encoded; no login, no CSRF token.
// - User and password: POST /api2/json/access/ticket gives a ticket (valid 2 h) and a CSRF token.
//   Requests send `Cookie: PBSAuthCookie=<ticket>`, and non-GET ones `CSRFPreventionToken`. Like the
//   official client, the ticket is renewed every 15 minutes by logging in with the old ticket as the
//   password, well before it expires; if that fails, with the password again.
// The secret stays inside this object: it is never part of a message, a label or a log line.
import { RestoreError } from '../../../shared/errors.ts';
import { redact } from '../../pbs/redact.ts';
import { isApiToken } from './repository.ts';

/** percent_encoding::DEFAULT_ENCODE_SET as the official client uses it: controls, space, `"#<>?`{}`, DEL and non-ASCII. */
export function percentEncode(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += byte <= 0x20 || byte >= 0x7f || '"#<>?`{}'.includes(ch) ? `%${byte.toString(16).toUpperCase().padStart(2, '0')}` : ch;
  }
  return out;
}

/** How often a ticket is renewed (the official client: every 15 minutes; tickets last 2 h). */
export const TICKET_RENEW_MS = 15 * 60 * 1000;

export interface TicketResponse {
  ticket: string;
  CSRFPreventionToken: string;
}

/** Posts a login (username, password) and returns the ticket, or throws AUTH_FAILED. */
export type LoginFn = (username: string, password: string) => Promise<TicketResponse>;

export class PbsAuth {
  readonly authId: string;
  readonly #secret: string;
  readonly #renewMs: number;
  #ticket?: { value: string; csrf: string; at: number };
  #renewing?: Promise<void>;
  #login?: LoginFn;
  /** Every credential value sent so far (secret, tickets, CSRF tokens), as sent and as typed. */
  readonly #sent = new Set<string>();

  constructor(authId: string, secret: string, renewMs = TICKET_RENEW_MS) {
    this.authId = authId;
    this.#secret = secret;
    this.#renewMs = renewMs;
    this.#remember(secret);
  }

  #remember(value: string): void {
    this.#sent.add(value);
    this.#sent.add(percentEncode(value));
    this.#sent.add(encodeURIComponent(value));
  }

  /** `text` with every credential this object knows replaced by "***" (for server error bodies). */
  redact(text: string): string {
    return redact(text, this.#sent);
  }

  get isToken(): boolean {
    return isApiToken(this.authId);
  }

  /** Logs in (users only); tokens need no round trip. */
  async start(login: LoginFn): Promise<void> {
    this.#login = login;
    if (!this.isToken) await this.#loginWith(this.#secret);
  }

  async #loginWith(password: string): Promise<void> {
    const r = await this.#login!(this.authId, password);
    this.#ticket = { value: r.ticket, csrf: r.CSRFPreventionToken, at: Date.now() };
    this.#remember(r.ticket);
    this.#remember(r.CSRFPreventionToken);
  }

  /** Logs in again now (after a 401 on an old ticket); a no-op for tokens. */
  async renew(): Promise<void> {
    if (this.isToken || !this.#login) return;
    this.#renewing ??= (async () => {
      try {
        const old = this.#ticket?.value;
        try {
          if (!old) throw new Error('no ticket yet');
          await this.#loginWith(old);
        } catch (e) {
          if (e instanceof RestoreError && !e.transient && e.code !== 'AUTH_FAILED') throw e;
          await this.#loginWith(this.#secret);
        }
      } finally {
        this.#renewing = undefined;
      }
    })();
    return this.#renewing;
  }

  /** Headers that authenticate one request; renews an ageing ticket first. */
  async headers(): Promise<Record<string, string>> {
    if (this.isToken) return { authorization: `PBSAPIToken ${this.authId}:${percentEncode(this.#secret)}` };
    if (!this.#ticket) throw new RestoreError('INTERNAL', 'PBS login has not happened yet');
    if (Date.now() - this.#ticket.at >= this.#renewMs) await this.renew();
    const t = this.#ticket;
    return {
      cookie: `PBSAuthCookie=${percentEncode(t.value)}`,
      // Required for every method but GET. Sent always: the official client sends it on the
      // reader upgrade (a GET) too, and the server ignores it where it is not needed.
      csrfpreventiontoken: t.csrf,
    };
  }
}
