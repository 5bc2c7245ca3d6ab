// One error class with a stable machine code, in the manner of undici's lib/core/errors.js:
// callers branch on `code`, never on message text. Messages say what and where.
import type { ChunkLocation, ErrorCode, ErrorInfo } from '../../shared/errors.ts';

export class RestoreError extends Error {
  readonly code: ErrorCode;
  chunk?: ChunkLocation;
  /** True when retrying the same operation may succeed (network hiccups, 5xx). */
  readonly transient: boolean;

  constructor(code: ErrorCode, message: string, opts: { cause?: unknown; chunk?: ChunkLocation; transient?: boolean } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'RestoreError';
    this.code = code;
    this.chunk = opts.chunk;
    this.transient = opts.transient ?? false;
  }

  toInfo(): ErrorInfo {
    return { code: this.code, message: this.message, ...(this.chunk ? { chunk: this.chunk } : {}) };
  }
}

export function isRestoreError(e: unknown, code?: ErrorCode): e is RestoreError {
  return e instanceof RestoreError && (code === undefined || e.code === code);
}

/** Map any thrown value to a RestoreError, keeping codes of known Node errors meaningful. */
export function toRestoreError(e: unknown, context: string): RestoreError {
  if (e instanceof RestoreError) return e;
  const err = e as NodeJS.ErrnoException | undefined;
  if (err?.name === 'AbortError') return new RestoreError('CANCELLED', `${context}: cancelled`, { cause: e });
  switch (err?.code) {
    case 'ENOSPC':
      return new RestoreError('ENOSPC', `${context}: no space left on device`, { cause: e });
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new RestoreError('TARGET_NOT_WRITABLE', `${context}: ${err.message}`, { cause: e });
    default:
      return new RestoreError(err?.code ? 'IO_ERROR' : 'INTERNAL', `${context}: ${err?.message ?? String(e)}`, { cause: e });
  }
}
