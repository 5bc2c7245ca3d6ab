// Errors as the contract carries them. The engine throws RestoreError (ErrorCode); the service
// adds its own codes (ContractErrorCode) through ServiceError. Everything leaving the service is
// mapped by toContractError, so a caller only ever sees { code, message, chunk?, fingerprint? }.
import type { ContractError, ContractErrorCode } from '../../shared/contract.ts';
import type { ChunkLocation } from '../../shared/errors.ts';
import { RestoreError } from '../pbs/errors.ts';

export class ServiceError extends Error {
  readonly code: ContractErrorCode;
  readonly chunk?: ChunkLocation;
  readonly fingerprint?: string;

  constructor(code: ContractErrorCode, message: string, opts: { cause?: unknown; chunk?: ChunkLocation; fingerprint?: string } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'ServiceError';
    this.code = code;
    if (opts.chunk) this.chunk = opts.chunk;
    if (opts.fingerprint) this.fingerprint = opts.fingerprint;
  }

  static from(info: ContractError): ServiceError {
    return new ServiceError(info.code, info.message, {
      ...(info.chunk ? { chunk: info.chunk } : {}),
      ...(info.fingerprint ? { fingerprint: info.fingerprint } : {}),
    });
  }

  toInfo(): ContractError {
    return {
      code: this.code,
      message: this.message,
      ...(this.chunk ? { chunk: this.chunk } : {}),
      ...(this.fingerprint ? { fingerprint: this.fingerprint } : {}),
    };
  }
}

/** The fingerprint a TLS mismatch error reports, under whichever name the source used. */
function seenFingerprint(e: object): string | undefined {
  for (const key of ['fingerprint', 'seenFingerprint', 'actualFingerprint', 'actual']) {
    const v = (e as Record<string, unknown>)[key];
    if (typeof v === 'string' && /^[0-9a-f]{2}(:[0-9a-f]{2}){31}$/i.test(v)) return v.toLowerCase();
  }
  return undefined;
}

export function toContractError(e: unknown): ContractError {
  if (e instanceof ServiceError) return e.toInfo();
  if (e instanceof RestoreError) {
    const info: ContractError = e.toInfo();
    if (e.code === 'TLS_FINGERPRINT_MISMATCH') {
      const fp = seenFingerprint(e);
      if (fp) info.fingerprint = fp;
    }
    return info;
  }
  const err = e as { name?: string; message?: string; code?: unknown } | undefined;
  if (err?.name === 'AbortError') return { code: 'CANCELLED', message: 'cancelled' };
  return { code: 'INTERNAL', message: err?.message ?? String(e) };
}
