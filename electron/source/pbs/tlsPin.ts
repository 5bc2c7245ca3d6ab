// TLS to a PBS server with the certificate pinning convention of proxmox-backup-client
// (pbs-client/src/http_client.rs, HttpClient::verify_callback; docs/pbs-formats.md): a connection is
// accepted when normal verification passes (chain to a trusted CA, host name); otherwise the SHA-256
// fingerprint of the leaf certificate's DER must equal the pinned one. Most PBS servers run with
// their self-signed proxy certificate, so the pin is the normal case. Anything else fails with
// TLS_FINGERPRINT_MISMATCH and the fingerprint seen, so a UI can ask "trust this server?" and retry
// with the pin (trust on first use).
//
// Every connection (JSON API through undici, and each reader-protocol upgrade) comes from connectTls,
// so the check cannot be skipped on one path. Node does not run checkServerIdentity when the chain
// is untrusted, so the decision is made here after 'secureConnect' with rejectUnauthorized: false.
import type { TLSSocket } from 'node:tls';
import { isIP } from 'node:net';
import { RestoreError } from '../../../shared/errors.ts';
import { hostPort } from './repository.ts';

/** Lowercase colon hex (`aa:bb:…`, 32 bytes) from any case, with or without colons. */
export function normalizeFingerprint(text: string): string {
  const hex = text.trim().replaceAll(':', '').toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hex)) {
    throw new RestoreError('USAGE', `invalid certificate fingerprint ${JSON.stringify(text)} (expected 32 colon-separated hex bytes, as PBS shows it)`);
  }
  return hex.replace(/(..)(?!$)/g, '$1:');
}

export interface TlsTarget {
  host: string;
  port: number;
  /** Normalized pinned fingerprint (normalizeFingerprint), if any. */
  fingerprint?: string;
  /** Extra trusted CA certificates (PEM); the system store is used otherwise. */
  ca?: string | Buffer | Array<string | Buffer>;
  connectTimeoutMs: number;
}

function connectError(target: TlsTarget, e: unknown): RestoreError {
  if (e instanceof RestoreError) return e;
  const err = e as NodeJS.ErrnoException;
  const where = hostPort(target.host, target.port);
  // Refused, reset or unreachable may well be a server restarting or a network blip: retryable.
  const permanent = err.code === 'ENOTFOUND' || err.code === 'EAI_NONAME';
  return new RestoreError('CONNECTION_FAILED', `cannot connect to ${where}: ${err.message}`, { cause: e, transient: !permanent, port: target.port });
}

/**
 * Opens a TLS connection and applies the pinning rule. Resolves with a connected socket that has
 * TCP_NODELAY set ("important for h2 download performance", http_client.rs).
 */
export function connectTls(target: TlsTarget, signal?: AbortSignal): Promise<TLSSocket> {
  return new Promise<TLSSocket>((resolve, reject) => {
    if (signal?.aborted) return reject(new RestoreError('CANCELLED', 'connect cancelled', { cause: signal.reason }));
    const where = hostPort(target.host, target.port);
    // Loaded here, not imported: only remote sources need TLS, and loading it costs every CLI
    // start time (a local `list` is meant to start in about the time of `node -e 0`).
    const socket = process.getBuiltinModule('node:tls').connect({
      host: target.host,
      port: target.port,
      // SNI must be a DNS name (RFC 6066); Node warns when it is given an address.
      ...(isIP(target.host) ? {} : { servername: target.host }),
      rejectUnauthorized: false,
      // PBS configures no ALPN; offering only http/1.1 keeps undici and the upgrade on HTTP/1.1.
      ALPNProtocols: ['http/1.1'],
      ...(target.ca ? { ca: target.ca } : {}),
    });
    let settled = false;
    const finish = (err?: RestoreError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.off('error', onError);
      if (err) {
        socket.destroy();
        reject(err);
      } else {
        socket.setNoDelay(true);
        resolve(socket);
      }
    };
    const onAbort = (): void => finish(new RestoreError('CANCELLED', `connecting to ${where} cancelled`, { cause: signal?.reason }));
    const onError = (e: Error): void => finish(connectError(target, e));
    const timer = setTimeout(
      () => finish(new RestoreError('TIMEOUT', `connecting to ${where} timed out after ${target.connectTimeoutMs} ms`, { transient: true })),
      target.connectTimeoutMs,
    );
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.on('error', onError);
    socket.once('secureConnect', () => {
      if (socket.authorized) return finish();
      const cert = socket.getPeerCertificate();
      const seen = cert?.fingerprint256 ? normalizeFingerprint(cert.fingerprint256) : '(none)';
      if (target.fingerprint && seen === target.fingerprint) return finish();
      const why = target.fingerprint
        ? `its certificate fingerprint ${seen} does not match the expected ${target.fingerprint}`
        : `its certificate is not trusted (${socket.authorizationError}) and no fingerprint was given to pin it; the server's SHA-256 fingerprint is ${seen}`;
      finish(new RestoreError('TLS_FINGERPRINT_MISMATCH', `TLS check of ${where} failed: ${why}`, { fingerprint: seen }));
    });
  });
}
