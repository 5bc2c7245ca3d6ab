// HTTP answers of a PBS server mapped to stable error codes. PBS sends errors as a status plus the
// plain message text as body (proxmox-rest-server formatter.rs / h2service.rs: an HttpError keeps
// its status, anything else raised with `bail!` becomes 400). So several "clear" conditions arrive as
// 400 with a well-known text, verified in src/api2/reader/mod.rs and src/api2/helpers.rs:
//   upgrade:   "no permissions on /datastore/…", "backup owner check failed!",
//              "snapshot … does not exist.", datastore lookup "no such datastore '…'" / "… does not exist"
//   /download: 404 "open file … failed - not found" (blobs); 400 "Unable to open fixed index … -
//              No such file or directory (os error 2)" (indexes)
//   /chunk:    401 "download chunk … not allowed" (index not downloaded in this session);
//              400 "reading file … failed: No such file or directory"
// Login and authentication failures are 401, privilege checks of the router 403.
// 5xx, and every network-level failure, are transient: the engine retries them with backoff.
import { RestoreError } from '../../../shared/errors.ts';

/** What was being asked for, which decides what a 404 or a well-known 400 means. */
export type RequestKind = 'api' | 'login' | 'upgrade' | 'download' | 'chunk';

const MAX_BODY_IN_MESSAGE = 400;

/** The server's text, on one line and short enough for an error message. */
export function bodyText(raw: string): string {
  const line = raw.replace(/\s+/g, ' ').trim();
  return line.length > MAX_BODY_IN_MESSAGE ? `${line.slice(0, MAX_BODY_IN_MESSAGE)}…` : line;
}

/** A non-2xx answer as a RestoreError; `what` names the request in the message. */
export function httpError(status: number, body: string, kind: RequestKind, what: string): RestoreError {
  const text = bodyText(body);
  const msg = `${what}: HTTP ${status}${text ? `: ${text}` : ''}`;
  if (status >= 500) return new RestoreError('SERVER_ERROR', msg, { transient: true });
  if (status === 401) {
    // On the reader session a 401 is the chunk allow-list, not the credentials.
    if (kind === 'chunk') return new RestoreError('CHUNK_REFUSED', `${msg} (the server allows only chunks of indexes downloaded in this session)`);
    return new RestoreError('AUTH_FAILED', msg);
  }
  if (status === 403 || /^no permissions on |backup owner check failed|permission check failed/i.test(text)) {
    return new RestoreError('PERMISSION_DENIED', msg);
  }
  if (/no such datastore|datastore '[^']*' does not exist/i.test(text)) return new RestoreError('DATASTORE_NOT_FOUND', msg);
  const missing = status === 404 || /does not exist|no such file or directory|not found/i.test(text);
  if (missing) {
    if (kind === 'upgrade') return new RestoreError('SNAPSHOT_NOT_FOUND', msg);
    if (kind === 'download') return new RestoreError('ARCHIVE_NOT_FOUND', msg);
    if (kind === 'chunk') return new RestoreError('CHUNK_MISSING', msg);
  }
  if (status === 408 || status === 429) return new RestoreError('SERVER_ERROR', msg, { transient: true });
  return new RestoreError('SERVER_ERROR', msg);
}

const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** A thrown network error (socket, TLS, HTTP/2 session) as a transient RestoreError. */
export function networkError(e: unknown, what: string, signal?: AbortSignal): RestoreError {
  if (e instanceof RestoreError) return e;
  const err = e as NodeJS.ErrnoException | undefined;
  if (signal?.aborted || err?.name === 'AbortError') {
    const reason = signal?.reason;
    return reason instanceof RestoreError ? reason : new RestoreError('CANCELLED', `${what}: cancelled`, { cause: e });
  }
  const code = err?.code ?? '';
  const detail = `${err?.message ?? String(e)}${code && !err?.message?.includes(code) ? ` (${code})` : ''}`;
  if (TIMEOUT_CODES.has(code)) return new RestoreError('TIMEOUT', `${what}: ${detail}`, { cause: e, transient: true });
  return new RestoreError('CONNECTION_FAILED', `${what}: ${detail}`, { cause: e, transient: true });
}
